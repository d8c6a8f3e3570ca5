using System.Buffers;
using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Serialization;

/// <summary>
/// A tensor as bytes: dtype (int32, c10 numbering), the dtype its elements travel as (int32), rank (int32), the shape
/// (int64 each), then the raw little-endian elements, row-major. An integer tensor travels as the narrowest integer type
/// that holds all its values and is widened back on read, losslessly: token ids of a vocabulary under 128 or 32,768 as one
/// or two bytes instead of eight, an attention mask as one (a rollout batch of the demo's size: 123 KB -> 37 KB). Tensors
/// are read back on the CPU; the receiving role moves them to its own device. Unknown dtype codes, a travel type that is
/// not a narrower integer type of the dtype, bad ranks and a length that does not match the shape are errors.
/// </summary>
public static class TensorCodec
{
    // The dtypes read from the wire (c10 numbering, TorchSharp's ScalarType); any other code is an error.
    private static readonly HashSet<ScalarType> Wire =
        [ScalarType.Bool, ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64,
         ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64];

    // The integer dtypes that may travel narrower, and the types they may travel as, narrowest first.
    private static readonly HashSet<ScalarType> Narrowable = [ScalarType.Int16, ScalarType.Int32, ScalarType.Int64];
    private static readonly (ScalarType Type, long Min, long Max)[] Narrow =
        [(ScalarType.Int8, sbyte.MinValue, sbyte.MaxValue), (ScalarType.Int16, short.MinValue, short.MaxValue), (ScalarType.Int32, int.MinValue, int.MaxValue)];

    /// <summary>The bytes of <paramref name="value"/> (any device), in one array of exactly their size.</summary>
    public static byte[] ToBytes(Tensor value)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = value.detach().cpu().contiguous();
        var travel = TravelType(cpu);
        var shape = cpu.shape;
        var data = (travel == cpu.dtype ? cpu : cpu.to(travel)).bytes;
        var header = 12 + 8 * shape.Length;
        var bytes = GC.AllocateUninitializedArray<byte>(header + data.Length);   // every byte written below
        BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)cpu.dtype);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), (int)travel);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), shape.Length);
        for (var i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12 + 8 * i), shape[i]);
        data.CopyTo(bytes.AsSpan(header));
        return bytes;
    }

    /// <summary>The narrowest integer type that holds every value of an integer tensor <paramref name="cpu"/>; any other tensor's own dtype.</summary>
    private static ScalarType TravelType(Tensor cpu)
    {
        if (!Narrowable.Contains(cpu.dtype) || cpu.numel() == 0) return cpu.dtype;
        var (min, max) = (cpu.min().to(ScalarType.Int64).item<long>(), cpu.max().to(ScalarType.Int64).item<long>());
        foreach (var (type, lo, hi) in Narrow)
            if (Narrower(type, cpu.dtype) && lo <= min && max <= hi) return type;
        return cpu.dtype;
    }

    /// <summary>Whether a <paramref name="dtype"/> tensor may travel as <paramref name="travel"/>: a narrower integer type.</summary>
    private static bool Narrower(ScalarType travel, ScalarType dtype) =>
        Narrowable.Contains(dtype) && Narrow.Any(n => n.Type == travel) && travel.ElementSize() < dtype.ElementSize();

    /// <summary>Writes <paramref name="value"/> (any device) to <paramref name="output"/> (the bytes of <see cref="ToBytes"/>).</summary>
    public static void Write(Tensor value, IBufferWriter<byte> output) => output.Write(ToBytes(value));

    /// <summary>Reads a tensor written by <see cref="Write"/> onto the CPU.</summary>
    /// <exception cref="FormatException">The bytes are not a tensor this codec wrote.</exception>
    public static Tensor Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12) throw new FormatException($"tensor payload: {bytes.Length} bytes is shorter than a header");
        var dtype = (ScalarType)BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var travel = (ScalarType)BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        foreach (var code in new[] { dtype, travel })
            if (!Wire.Contains(code)) throw new FormatException($"tensor payload: dtype code {(int)code} is not one this serializer reads");
        if (travel != dtype && !Narrower(travel, dtype))
            throw new FormatException($"tensor payload: a {dtype} tensor cannot travel as {travel}");
        var rank = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (rank is < 0 or > 16 || bytes.Length < 12 + 8 * rank) throw new FormatException($"tensor payload: bad rank {rank}");
        var shape = new long[rank];
        for (var i = 0; i < rank; i++) shape[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(12 + 8 * i)..]);
        if (shape.Any(d => d < 0)) throw new FormatException($"tensor payload: negative dimension in [{string.Join(", ", shape)}]");
        var data = bytes[(12 + 8 * rank)..];
        var expected = shape.Aggregate(1L, (a, b) => a * b) * travel.ElementSize();
        if (data.Length != expected) throw new FormatException($"tensor payload: {data.Length} bytes for shape [{string.Join(", ", shape)}] of {travel} (expected {expected})");
        var tensor = torch.empty(shape, travel);
        data.CopyTo(tensor.bytes);
        if (travel == dtype) return tensor;
        using (tensor) return tensor.to(dtype);
    }
}
