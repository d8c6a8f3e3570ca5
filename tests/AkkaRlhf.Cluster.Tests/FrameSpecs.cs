using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Cluster.Tests;

public sealed class FrameSpecs
{
    private static readonly Frame Sample = new("q3Z0l8m2Yb1xT4wA.1f", "/user/a", "akka.amqp://rlhf@h:1/user/b",
        new SerializedMessage("test.work", "{\"batchId\":1}"u8.ToArray(), [[1, 2, 3], []]));

    [Fact]
    public void A_frame_survives_a_round_trip_with_its_id_paths_manifest_json_and_payloads()
    {
        var back = Frame.Decode(Sample.Encode(1 << 20), 1 << 20);
        Assert.Equal((Sample.Id, Sample.Recipient, Sample.Sender, Sample.Message.Manifest), (back.Id, back.Recipient, back.Sender, back.Message.Manifest));
        Assert.Equal(Sample.Message.Json, back.Message.Json);
        Assert.Equal(Sample.Message.Payloads, back.Message.Payloads);
    }

    [Fact]
    public void Every_truncation_of_a_frame_is_rejected_as_malformed()
    {
        var bytes = Sample.Encode(1 << 20);
        for (var n = 0; n < bytes.Length; n++)
            Assert.Throws<MalformedFrameException>(() => Frame.Decode(bytes.AsSpan(0, n), 1 << 20));
    }

    [Fact]
    public void Trailing_bytes_and_a_foreign_body_are_rejected_as_malformed()
    {
        Assert.Throws<MalformedFrameException>(() => Frame.Decode([.. Sample.Encode(1 << 20), 0], 1 << 20));
        var e = Assert.Throws<MalformedFrameException>(() => Frame.Decode("{\"json\":true}"u8, 1 << 20));
        Assert.Contains("frame marker", e.Message);
    }

    [Fact]
    public void A_message_id_over_255_bytes_is_refused_when_encoding_and_when_decoding()
    {
        var longId = Sample with { Id = new string('x', Frame.MaxIdLength + 1) };
        Assert.Throws<MessageSizeException>(() => longId.Encode(1 << 20));
        Assert.Equal(Frame.MaxIdLength, Frame.Decode((Sample with { Id = new string('x', Frame.MaxIdLength) }).Encode(1 << 20), 1 << 20).Id.Length);
        // the same frame as a forger would write it: the id length field says 256
        var bytes = (Sample with { Id = new string('x', Frame.MaxIdLength) }).Encode(1 << 20).ToList();
        bytes.Insert(6, (byte)'x');
        bytes[5] = 0; bytes[4] = 1; // u16 big-endian 256 at offset 4
        Assert.Contains("over 255", Assert.Throws<MalformedFrameException>(() => Frame.Decode(bytes.ToArray(), 1 << 20)).Message);
    }

    [Fact]
    public void A_frame_over_the_size_limit_is_refused_on_both_ends_with_the_limit_in_the_message()
    {
        var bytes = Sample.Encode(1 << 20);
        Assert.Contains("max-message-size", Assert.Throws<MessageSizeException>(() => Sample.Encode(bytes.Length - 1)).Message);
        Assert.Contains("max-message-size", Assert.Throws<MessageSizeException>(() => Frame.Decode(bytes, bytes.Length - 1)).Message);
    }
}
