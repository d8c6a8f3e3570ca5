using System.Buffers;

namespace AkkaRlhf.Runtime.Serialization;

/// <summary>
/// Writes values of one type (e.g. a tensor: dtype + shape + raw bytes) as a binary payload beside the
/// JSON; the JSON holds only the payload's index. Register with <see cref="MessageSerialization.RegisterPayload{T}"/>.
/// </summary>
public interface IPayloadSerializer<T>
{
    /// <summary>Writes <paramref name="value"/> as bytes.</summary>
    void Write(T value, IBufferWriter<byte> output);

    /// <summary>Reads a value written by <see cref="Write"/>.</summary>
    T Read(ReadOnlySpan<byte> bytes);
}
