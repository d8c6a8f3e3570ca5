using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Serialization;
using AkkaRlhf.Models.Data;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

public sealed class SerializationSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private static Tensor T(params float[] values) => torch.tensor(values, [values.Length]);

    private static IEnumerable<object> OneOfEach()
    {
        var batch = Tiny.Batch(("a", "good b"), ("a b", "c"));
        var weights = new PolicyWeights(3, new Dictionary<string, Tensor> { ["w"] = torch.ones([2, 3]) });
        var experience = new Experience(batch, torch.zeros([2, 3]), torch.ones([2, 3]), null, torch.zeros([2, 3]), T(1, 2), 3, 2);
        yield return new RequestPrompts(1, 4);
        yield return new PromptBatch(1, ["a"], [[4, 2]], new DataCursor(1, 3));
        yield return new GenerateRollouts(2, 1, [[4, 2], [5, 2]], 2, MinPolicyVersion: 4);
        yield return new RolloutBatch(2, 1, batch, torch.zeros([2, 3]), 5);
        yield return weights;
        yield return new ScoreRewards(3, batch);
        yield return new RewardScores(3, T(0.5f, -1));
        yield return new ScoreReference(4, batch);
        yield return new ReferenceLogProbs(4, torch.zeros([2, 3]));
        yield return new ComputeValues(5, batch);
        yield return new ValueEstimates(5, torch.zeros([2, 3]));
        yield return new TrainPolicy(6, experience);
        yield return new PolicyUpdated(6, 4, weights, new Dictionary<string, double> { ["loss"] = 0.5 });
        yield return GetLearnerSpec.Instance;
        yield return new LearnerSpec(false, 4);
        yield return new TrainCritic(7, batch, torch.zeros([2, 3]), torch.ones([2, 3]));
        yield return new CriticUpdated(7, new Dictionary<string, double> { ["value_loss"] = 1 });
        yield return new SaveRoleState("checkpoints/iter-4/critic");
        yield return new RoleStateSaved([1UL, ulong.MaxValue]);
        yield return new RestoreRoleState("checkpoints/iter-4/policy", [7UL, 8UL], TorchRng: true);
        yield return new RoleStateRestored(4, weights);
        yield return new RunStage(8, 10);
        yield return new StageStep(8, 2);
        yield return new StageFinished(8, "sft", new Dictionary<string, double> { ["final_loss"] = 1.5 });
        yield return new WorkFailed(9, "the model threw");
        yield return new Served(new ValueEstimates(5, torch.ones([2, 3])), 0.25, 0.125);
        yield return new PolicyWeightsRef(5, "/shared/policy-v5.safetensors", "ab12", Rewind: true);
        yield return new WeightsOffer(5, "ab12", 1000, 256, Rewind: false);
        yield return new GetWeightsChunk(5, 3);
        yield return new WeightsChunk(5, 3, new byte[] { 1, 2, 255 });
        yield return new WorkAccounting("rollout", 10, 9, 1, 0, 1);
        yield return GetWorkAccounting.Instance;
        yield return FollowRun.Instance;
        yield return RunFollowed.Instance;
        yield return new RunBegan("ppo", 60);
        yield return new RunStepped("ppo", 3, new Dictionary<string, double> { ["reward"] = 1.5 });
        yield return new RunEnded("ppo", "runs/x/ppo/model", new Dictionary<string, double> { ["reward"] = 2 }, [new WorkAccounting("critic", 1, 1, 0, 0, 0)], null);
    }

    [Fact]
    public void A_byte_segment_must_travel_raw_not_as_base64()
    {
        var data = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var back = (WeightsChunk)RoundTrip(new WeightsChunk(1, 0, data), out var bytes);
        Assert.Equal(data, back.Data.ToArray());
        var json = System.Text.Encoding.UTF8.GetByteCount("""{"Version":1,"Index":0,"Data":{"$b":0}}""");
        Assert.Equal(4 + json + 4 + 8 + data.Length, bytes.Length);
    }

    /// <summary>Through Akka's serialization as a remote send would: the bound serializer, its manifest, bytes and back.</summary>
    private object RoundTrip(object message, out byte[] bytes)
    {
        var serializer = Assert.IsType<RlhfSerializer>(Sys.Serialization.FindSerializerFor(message));
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        bytes = serializer.ToBinary(message);
        return Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
    }

    [Fact]
    public void Every_message_type_must_round_trip_through_the_serialization_allow_list()
    {
        var messages = OneOfEach().ToList();
        Assert.Equal(RlhfSerialization.Messages.Select(m => m.Type).ToHashSet(), messages.Select(m => m.GetType()).ToHashSet());
        foreach (var message in messages)
        {
            var back = RoundTrip(message, out _);
            Assert.IsType(message.GetType(), back);
            Assert.Equal(Describe(message), Describe(back));
        }
    }

    [Fact]
    public void A_tensor_must_travel_as_dtype_shape_and_raw_bytes()
    {
        var values = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var back = (ValueEstimates)RoundTrip(new ValueEstimates(1, values), out var bytes);
        Assert.Equal(ScalarType.Float32, back.Values.dtype);
        Assert.Equal([2L, 3L], back.Values.shape);
        Assert.Equal(values.data<float>().ToArray(), back.Values.data<float>().ToArray());
        var json = System.Text.Encoding.UTF8.GetByteCount("""{"BatchId":1,"Values":{"$t":0}}""");
        Assert.Equal(4 + json + 4 + 8 + (12 + 2 * 8 + 6 * 4), bytes.Length);         // lengths, JSON, one payload: header + shape + data
    }

    [Theory]
    [InlineData(ScalarType.Int64, 89, ScalarType.Int8)]                  // token ids of a vocabulary under 128, a 0/1 mask
    [InlineData(ScalarType.Int64, -128, ScalarType.Int8)]
    [InlineData(ScalarType.Int64, 50_256, ScalarType.Int32)]             // GPT-2's ids
    [InlineData(ScalarType.Int64, 32_767, ScalarType.Int16)]
    [InlineData(ScalarType.Int64, 1L << 40, ScalarType.Int64)]           // needs all eight bytes
    [InlineData(ScalarType.Int32, 300, ScalarType.Int16)]
    [InlineData(ScalarType.Int16, -129, ScalarType.Int16)]
    [InlineData(ScalarType.Float64, 1, ScalarType.Float64)]              // floats travel as they are
    public void An_integer_tensor_must_travel_in_the_narrowest_integer_type_that_holds_its_values_and_come_back_unchanged(
        ScalarType dtype, long extreme, ScalarType travels)
    {
        using var ids = torch.tensor(new long[] { 0, 1, extreme, 7, 1 }, [5]).to(dtype);
        var bytes = TensorCodec.ToBytes(ids);
        Assert.Equal((int)travels, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(12 + 8 + 5 * travels.ElementSize(), bytes.Length);
        using var back = TensorCodec.Read(bytes);
        Assert.Equal(dtype, back.dtype);
        Assert.Equal([0L, 1L, extreme, 7L, 1L], back.to(ScalarType.Int64).data<long>().ToArray());
    }

    [Fact]
    public void A_tensor_payload_with_an_unknown_dtype_a_travel_type_that_is_not_a_narrower_integer_or_a_wrong_size_must_be_refused()
    {
        using var ids = torch.tensor(new long[] { 1, 2, 1L << 40 }, [3]);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        TensorCodec.Write(ids, buffer);
        var bytes = buffer.WrittenSpan.ToArray();
        Assert.Equal([1L, 2L, 1L << 40], TensorCodec.Read(bytes).data<long>().ToArray());

        var unknown = (byte[])bytes.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(unknown, 99);
        var e = Assert.Throws<FormatException>(() => TensorCodec.Read(unknown));
        Assert.Contains("dtype code 99", e.Message);
        var shortened = Assert.Throws<FormatException>(() => TensorCodec.Read(bytes.AsSpan(0, bytes.Length - 8)));
        Assert.Contains("16 bytes for shape [3] of Int64 (expected 24)", shortened.Message);
        foreach (var (dtype, travel) in new[] { (ScalarType.Int64, ScalarType.Float32), (ScalarType.Int8, ScalarType.Int32), (ScalarType.Float32, ScalarType.Int8) })
        {
            var forged = (byte[])bytes.Clone();
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(forged, (int)dtype);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(forged.AsSpan(4), (int)travel);
            var refused = Assert.Throws<FormatException>(() => TensorCodec.Read(forged));
            Assert.Contains($"a {dtype} tensor cannot travel as {travel}", refused.Message);
        }
    }

    [Fact]
    public void Unknown_manifests_truncated_messages_and_types_outside_the_allow_list_must_be_refused_with_a_clear_error()
    {
        var serializer = (RlhfSerializer)Sys.Serialization.FindSerializerForType(typeof(RewardScores));
        var bytes = serializer.ToBinary(new RewardScores(3, T(0.5f, -1)));
        var unknown = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "System.Diagnostics.Process"));
        Assert.Contains("unknown manifest 'System.Diagnostics.Process'", unknown.Message);
        var truncated = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes[..^5], "rlhf.reward-scores"));
        Assert.Contains("malformed 'rlhf.reward-scores'", truncated.Message);
        var outside = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.ToBinary(new Version(1, 0)));
        Assert.Contains("System.Version is not in the RLHF allow-list", outside.Message);
    }

    [Fact]
    public void A_served_reply_must_carry_an_allow_listed_reply_and_never_another_served_one()
    {
        var back = (Served)RoundTrip(new Served(new RewardScores(3, T(0.5f, -1)), 0.031, 0.002), out _);
        Assert.Equal((0.031, 0.002), (back.Seconds, back.WeightWaitSeconds));
        Assert.Equal([0.5f, -1f], Assert.IsType<RewardScores>(back.Reply).Scores.data<float>().ToArray());

        var serializer = (RlhfSerializer)Sys.Serialization.FindSerializerForType(typeof(Served));
        var nested = Assert.Throws<System.Runtime.Serialization.SerializationException>(() =>
            serializer.ToBinary(new Served(new Served(new WorkFailed(1, "x"), 1, 0), 1, 0)));
        Assert.Contains("cannot hold another", nested.Message);
        var outside = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.ToBinary(new Served(new Version(1, 0), 1, 0)));
        Assert.Contains("System.Version is not in the RLHF allow-list", outside.Message);

        // forged served replies: an inner manifest outside the allow-list, or a served reply inside a served reply
        foreach (var inner in new[] { "System.Diagnostics.Process", "rlhf.served" })
        {
            var json = System.Text.Encoding.UTF8.GetBytes($$"""{"Manifest":"{{inner}}","Reply":{"$b":0},"Seconds":1,"WeightWaitSeconds":0}""");
            var bytes = new byte[4 + json.Length + 4 + 8 + 1];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, json.Length);
            json.CopyTo(bytes, 4);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + json.Length), 1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 + json.Length), 1);
            var forged = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "rlhf.served"));
            Assert.Contains($"its reply's manifest '{inner}' is not an allow-listed answer", forged.Message);
        }
    }

    /// <summary>A readable dump of a message with every tensor's dtype, shape and values.</summary>
    private static string Describe(object? value) => value switch
    {
        null => "null",
        Tensor t => $"{t.dtype}[{string.Join(",", t.shape)}]{{{string.Join(",", t.to(ScalarType.Float64).data<double>().ToArray())}}}",
        string s => s,
        System.Collections.IDictionary d => "{" + string.Join(";", d.Keys.Cast<object>().OrderBy(k => k.ToString()).Select(k => $"{k}={Describe(d[k])}")) + "}",
        System.Collections.IEnumerable e => "[" + string.Join(",", e.Cast<object>().Select(Describe)) + "]",
        _ when value.GetType().Namespace?.StartsWith("AkkaRlhf", StringComparison.Ordinal) == true =>
            value.GetType().Name + "(" + string.Join(",", value.GetType().GetProperties()
                .Where(p => p.GetIndexParameters().Length == 0 && p.GetGetMethod()?.IsStatic == false)
                .Select(p => $"{p.Name}={Describe(p.GetValue(value))}")) + ")",
        _ => value.ToString() ?? "",
    };
}
