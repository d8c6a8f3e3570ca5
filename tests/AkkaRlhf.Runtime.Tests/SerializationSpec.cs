using System.Buffers;
using System.Text;
using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Serialization;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed record Greeting(string Text, int Count);

public sealed record Register(IActorRef ReplyTo, string Name);

public sealed record NotAllowListed(string Text);

/// <summary>Stands in for a tensor: raw bytes that must travel beside the JSON.</summary>
public sealed class Blob(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;
}

public sealed record WithBlob(string Name, Blob Data);

public sealed class BlobSerializer : IPayloadSerializer<Blob>
{
    public void Write(Blob value, IBufferWriter<byte> output) => output.Write(value.Bytes);

    public Blob Read(ReadOnlySpan<byte> bytes) => new(bytes.ToArray());
}

public sealed class SerializationSpec(ITestOutputHelper output)
    : TestKit.TestKit(output, ActorSystemSettings.Default.WithSerializeMessages(true))
{
    private MessageSerialization Serialization => Sys.Serialization
        .Register<Greeting>("test.greeting")
        .Register<Register>("test.register")
        .Register<WithBlob>("test.with-blob");

    [Fact]
    public void Allow_listed_record_must_round_trip()
    {
        var serialized = Serialization.Serialize(new Greeting("hi", 2));
        Assert.Equal("test.greeting", serialized.Manifest);
        Assert.Equal(new Greeting("hi", 2), Serialization.Deserialize(serialized));
    }

    [Fact]
    public void Record_with_an_actor_ref_field_must_round_trip_to_the_same_actor()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>(), "registered");
        var serialized = Serialization.Serialize(new Register(echo, "n"));
        Assert.Contains($"akka://{Sys.Name}/user/registered", Encoding.UTF8.GetString(serialized.Json));
        var back = (Register)Serialization.Deserialize(serialized);
        Assert.Equal(echo, back.ReplyTo);
        back.ReplyTo.Tell("reachable");
        ExpectMsg("reachable");
    }

    [Fact]
    public void Serialize_messages_mode_must_reject_a_non_allow_listed_message_with_a_clear_error()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var e = Assert.Throws<MessageSerializationException>(() => echo.Tell(new NotAllowListed("x")));
        Assert.Contains("serialize-messages", e.Message);
        Assert.Contains(nameof(NotAllowListed), e.Message);
        Assert.Contains("not allow-listed", e.Message);
    }

    [Fact]
    public void Serialize_messages_mode_must_deliver_a_round_tripped_copy()
    {
        _ = Serialization;
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var sent = new Register(TestActor, "me");
        echo.Tell(sent);
        var received = ExpectMsg<Register>();
        Assert.Equal(sent, received);
    }

    [Fact]
    public void Kernel_messages_and_marked_messages_must_be_exempt()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        echo.Tell(new Identify(1));
        ExpectMsg<ActorIdentity>();
        echo.Tell(new LocalOnly(() => { }));
        ExpectMsg<LocalOnly>();
        echo.Tell(PoisonPill.Instance);
        ExpectTerminated(echo);
    }

    [Fact]
    public void Unknown_manifest_must_be_rejected_without_reading_type_names()
    {
        var forged = new SerializedMessage("System.IO.FileInfo", Encoding.UTF8.GetBytes("{}"), []);
        var e = Assert.Throws<MessageSerializationException>(() => Serialization.Deserialize(forged));
        Assert.Contains("allow-list", e.Message);
    }

    [Fact]
    public void Registered_payload_type_must_travel_as_raw_bytes_beside_the_json()
    {
        var serialization = Serialization.RegisterPayload(new BlobSerializer());
        var serialized = serialization.Serialize(new WithBlob("w", new Blob([1, 2, 3, 250])));
        Assert.Single(serialized.Payloads);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, serialized.Payloads[0]);
        Assert.DoesNotContain("AQID", Encoding.UTF8.GetString(serialized.Json)); // not base64 in the JSON
        var back = (WithBlob)serialization.Deserialize(serialized);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, back.Data.Bytes);
    }

    [Fact]
    public void Registering_a_manifest_twice_for_different_types_must_fail()
    {
        _ = Serialization;
        Assert.Throws<ArgumentException>(() => Sys.Serialization.Register<NotAllowListed>("test.greeting"));
    }

    private sealed record LocalOnly(Action Callback) : INoSerializationVerificationNeeded;
}
