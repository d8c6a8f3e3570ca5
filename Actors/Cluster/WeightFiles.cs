using System.Security.Cryptography;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>Policy weights as safetensors bytes with their SHA-256: written whole or not at all, verified on read.</summary>
public static class WeightFiles
{
    /// <summary>The safetensors bytes of <paramref name="state"/>.</summary>
    public static byte[] BytesOf(IReadOnlyDictionary<string, Tensor> state)
    {
        using var bytes = new MemoryStream();
        Safetensors.SaveStateDict(bytes, new Dictionary<string, Tensor>(state), leaveOpen: true);
        return bytes.ToArray();
    }

    /// <summary>The state dict in safetensors <paramref name="data"/>.</summary>
    public static Dictionary<string, Tensor> StateOf(byte[] data)
    {
        try { return Safetensors.LoadStateDict(new MemoryStream(data)); }
        catch (Exception e) { throw new InvalidDataException($"not a safetensors state dict ({e.Message})", e); }
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <exception cref="InvalidDataException">The hash differs (the message names <paramref name="what"/>).</exception>
    public static void Verify(byte[] data, string sha256, string what)
    {
        var actual = Sha256(data);
        if (!actual.Equals(sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{what}: sha256 {actual[..12]} is not the announced {sha256[..Math.Min(12, sha256.Length)]}");
    }

    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/> under a temporary name, then renames it (a reader never sees half a file).</summary>
    public static void WriteWhole(string path, byte[] data)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, data);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Reads <paramref name="path"/> and verifies it against <paramref name="sha256"/>; shared storage may show a new file
    /// late, so a missing file is tried again for up to <paramref name="patience"/> (default 30 s).
    /// </summary>
    public static byte[] ReadVerified(string path, string sha256, TimeSpan? patience = null)
    {
        var until = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(30));
        while (!File.Exists(path) && DateTime.UtcNow < until) Thread.Sleep(100);
        var data = File.ReadAllBytes(path);
        Verify(data, sha256, path);
        return data;
    }
}
