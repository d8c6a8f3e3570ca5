using AkkaRlhf.Models;
using AkkaRlhf.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// The HOCON block of one role: its <c>type</c> (a registered short name or an assembly-qualified
/// type name), its <c>device</c>, its <c>pool-size</c> and its <c>torch-threads</c> (libtorch intra-op threads
/// of the role's work; 0 = the process's <c>akka-rlhf.torch-threads</c>); <see cref="Block"/> keeps the whole block
/// for the role's own keys. <see cref="UseRole"/> is the cluster role whose nodes serve it when
/// <c>cluster.enabled = on</c> (Akka's cluster-aware group router), null when the trainer hosts it.
/// </summary>
public sealed record RoleSettings(string Type, string Device, int PoolSize, Config Block, string? UseRole = null, int TorchThreads = 0)
{
    /// <param name="block">The role's block, e.g. <c>akka-rlhf.ppo.generator</c>.</param>
    /// <param name="path">Where the block is (for errors).</param>
    public static RoleSettings FromConfig(Config block, string path = "akka-rlhf.ppo.<role>") =>
        new(block.GetString("type"), block.GetString("device"), block.GetInt("pool-size"), block,
            block.HasPath("cluster") && block.GetBoolean("cluster.enabled") ? block.GetString("cluster.use-role") : null,
            SettingRange.Check(block, path, "torch-threads", block.GetInt("torch-threads"), 0));

    /// <summary>The parsed device (a clear error for a bad name or a missing GPU).</summary>
    public Device ParsedDevice => Devices.Parse(Device);

    public RoleSettings WithType(string type) => this with { Type = type };
    public RoleSettings WithDevice(string device) => this with { Device = device };
    public RoleSettings WithPoolSize(int size) => this with { PoolSize = Math.Max(1, size) };
    /// <summary>Served by the cluster nodes of <paramref name="role"/> (null: by the trainer's process).</summary>
    public RoleSettings WithUseRole(string? role) => this with { UseRole = role };
}
