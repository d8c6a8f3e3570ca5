using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// Device names from configuration ("cpu", "cuda", "cuda:N") to TorchSharp devices, with a clear
/// error at start-up for a bad name or a GPU that this process cannot use (the CPU build of
/// TorchSharp, no driver, or fewer GPUs than the index).
/// </summary>
public static class Devices
{
    /// <summary>Parses <paramref name="spec"/> and checks that the device is usable here.</summary>
    public static Device Parse(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        var index = s == "cuda" ? 0
            : s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s["cuda:".Length..], out var i) && i >= 0 ? i
            : throw new ArgumentException($"device \"{spec}\" is not a device name: expected \"cpu\", \"cuda\" or \"cuda:N\"");
        EnsureCuda(index);
        return device(DeviceType.CUDA, index);
    }

    /// <summary>Throws unless <paramref name="d"/> can run tensors in this process.</summary>
    public static void EnsureAvailable(Device d)
    {
        if (d.type == DeviceType.CUDA) EnsureCuda(Math.Max(0, d.index));
    }

    private static void EnsureCuda(int index)
    {
        if (!cuda.is_available())
            throw new InvalidOperationException(
                $"device \"cuda:{index}\" was asked for, but CUDA is not available in this process (the build references TorchSharp-cpu, " +
                "or no NVIDIA driver is visible); build with -p:TorchPackage=cuda on a machine with a GPU (docs/gpu.md) or set device = \"cpu\"");
        var count = cuda.device_count();
        if (index >= count)
            throw new InvalidOperationException($"device \"cuda:{index}\" was asked for, but this machine has {count} CUDA device(s)");
    }

    /// <summary>The configuration name of <paramref name="d"/>: "cpu" or "cuda:N".</summary>
    public static string Name(Device d) => d.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, d.index)}" : "cpu";
}
