using System.Buffers;
using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Serialization;

/// <summary>
/// A tensor as bytes: dtype (int32, c10 numbering), rank (int32), the shape (int64 each), then the raw
/// little-endian elements, row-major. Tensors are read back on the CPU; the receiving role moves them to
/// its own device. Unknown dtype codes, bad ranks and a length that does not match the shape are errors.
/// </summary>
public static class TensorCodec
{
    // The dtypes read from the wire (c10 numbering, TorchSharp's ScalarType); any other code is an error.
    private static readonly HashSet<ScalarType> Wire =
        [ScalarType.Bool, ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64,
         ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64];

    /// <summary>The bytes of <paramref name="value"/> (any device), in one array of exactly their size.</summary>
    public static byte[] ToBytes(Tensor value)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = value.detach().cpu().contiguous();
        var shape = cpu.shape;
        var data = cpu.bytes;
        var bytes = GC.AllocateUninitializedArray<byte>(8 + 8 * shape.Length + data.Length);   // every byte written below
        BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)cpu.dtype);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), shape.Length);
        for (var i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 + 8 * i), shape[i]);
        data.CopyTo(bytes.AsSpan(8 + 8 * shape.Length));
        return bytes;
    }

    /// <summary>Writes <paramref name="value"/> (any device) to <paramref name="output"/> (the bytes of <see cref="ToBytes"/>).</summary>
    public static void Write(Tensor value, IBufferWriter<byte> output) => output.Write(ToBytes(value));

    /// <summary>Reads a tensor written by <see cref="Write"/> onto the CPU.</summary>
    /// <exception cref="FormatException">The bytes are not a tensor this codec wrote.</exception>
    public static Tensor Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8) throw new FormatException($"tensor payload: {bytes.Length} bytes is shorter than a header");
        var dtype = (ScalarType)BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (!Wire.Contains(dtype)) throw new FormatException($"tensor payload: dtype code {(int)dtype} is not one this serializer reads");
        var rank = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (rank is < 0 or > 16 || bytes.Length < 8 + 8 * rank) throw new FormatException($"tensor payload: bad rank {rank}");
        var shape = new long[rank];
        for (var i = 0; i < rank; i++) shape[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 + 8 * i)..]);
        if (shape.Any(d => d < 0)) throw new FormatException($"tensor payload: negative dimension in [{string.Join(", ", shape)}]");
        var data = bytes[(8 + 8 * rank)..];
        var expected = shape.Aggregate(1L, (a, b) => a * b) * dtype.ElementSize();
        if (data.Length != expected) throw new FormatException($"tensor payload: {data.Length} bytes for shape [{string.Join(", ", shape)}] of {dtype} (expected {expected})");
        var tensor = torch.empty(shape, dtype);
        data.CopyTo(tensor.bytes);
        return tensor;
    }
}
