using AkkaRlhf.Configuration;
using AkkaRlhf.Torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// The HOCON block of one role: its <c>type</c> (a registered short name or an assembly-qualified
/// type name), its <c>device</c> and its <c>pool-size</c>; <see cref="Block"/> keeps the whole block
/// for the role's own keys.
/// </summary>
public sealed record RoleSettings(string Type, string Device, int PoolSize, Config Block)
{
    public static RoleSettings FromConfig(Config block, string defaultType) =>
        new(block.GetString("type", defaultType), block.GetString("device", "cpu"), block.GetInt("pool-size", 1), block);

    /// <summary>The parsed device (a clear error for a bad name or a missing GPU).</summary>
    public Device ParsedDevice
    {
        get
        {
            var d = AkkaRlhf.Torch.Device.Parse(Device);
            d.EnsureAvailable();
            return d;
        }
    }

    public RoleSettings WithType(string type) => this with { Type = type };
    public RoleSettings WithDevice(string device) => this with { Device = device };
    public RoleSettings WithPoolSize(int size) => this with { PoolSize = Math.Max(1, size) };
}
