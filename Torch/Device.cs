namespace AkkaRlhf.Torch;

/// <summary>Device kinds, numbered as c10::DeviceType.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device: "cpu", "cuda" or "cuda:N" (as torch.device).</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The host CPU.</summary>
    public static readonly Device CPU = new(DeviceType.CPU);

    /// <summary>Parses "cpu", "cuda", "cuda:N" (case-insensitive).</summary>
    public static Device Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var s = spec.Trim().ToLowerInvariant();
        var colon = s.IndexOf(':');
        var kind = colon < 0 ? s : s[..colon];
        var index = -1;
        if (colon >= 0 && (!int.TryParse(s[(colon + 1)..], out index) || index < 0))
            throw new FormatException($"bad device \"{spec}\": the index after ':' must be a non-negative integer");
        return kind switch
        {
            "cpu" when colon < 0 || index == 0 => CPU,
            "cuda" => new Device(DeviceType.CUDA, index),
            _ => throw new FormatException($"bad device \"{spec}\": expected \"cpu\", \"cuda\" or \"cuda:N\""),
        };
    }

    /// <summary>Throws a clear error if this device cannot be used in this process.</summary>
    public void EnsureAvailable()
    {
        if (Type != DeviceType.CUDA) return;
        if (!torch.cuda.is_available())
            throw new TorchException(
                $"device {this} requested, but CUDA is not available: this libtorch build has no CUDA support or no GPU is visible. " +
                "Use device = \"cpu\", or build the native shim against a CUDA libtorch (Torch_DIR).");
        var n = torch.cuda.device_count();
        if (Index >= n) throw new TorchException($"device {this} requested, but only {n} CUDA device(s) are visible");
    }

    /// <inheritdoc/>
    public override string ToString() => Type == DeviceType.CPU ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";

    public static implicit operator Device(string spec) => Parse(spec);
}
