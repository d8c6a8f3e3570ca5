namespace AkkaRlhf.Torch;

/// <summary>Element types, numbered as c10::ScalarType.</summary>
public enum ScalarType
{
    UInt8 = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

/// <summary>Sizes and CLR counterparts of <see cref="ScalarType"/>.</summary>
public static class ScalarTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.UInt8 or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unsupported scalar type"),
    };

    /// <summary>True for floating-point types (the ones that can require gradients).</summary>
    public static bool IsFloatingPoint(this ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>The scalar type of a CLR element type.</summary>
    public static ScalarType Of<T>() where T : unmanaged => default(T) switch
    {
        byte => ScalarType.UInt8,
        sbyte => ScalarType.Int8,
        short => ScalarType.Int16,
        int => ScalarType.Int32,
        long => ScalarType.Int64,
        Half => ScalarType.Float16,
        float => ScalarType.Float32,
        double => ScalarType.Float64,
        bool => ScalarType.Bool,
        _ => throw new NotSupportedException($"no tensor element type for {typeof(T)}"),
    };

    internal static ScalarType FromNative(int code) =>
        Enum.IsDefined(typeof(ScalarType), code)
            ? (ScalarType)code
            : throw new NotSupportedException($"tensor has c10 scalar type {code}, which this binding does not expose");
}
