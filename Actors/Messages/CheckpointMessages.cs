using Akka.Actor;

namespace AkkaRlhf.Actors.Messages;

/// <summary>
/// Asks a learner or critic to write its model, optimizer and libtorch RNG state as a checkpoint into <paramref name="Dir"/>
/// (a critic on a cluster node writes on its own machine: durable clustered runs need storage shared by the nodes).
/// </summary>
public sealed record SaveRoleState(string Dir);

/// <summary>The role's checkpoint is written; <paramref name="Rng"/> is its own minibatch generator's state.</summary>
public sealed record RoleStateSaved(ulong[] Rng);

/// <summary>Asks a learner or critic to load the checkpoint in <paramref name="Dir"/> (model, optimizer, its generator; libtorch's when <paramref name="TorchRng"/>).</summary>
public sealed record RestoreRoleState(string Dir, ulong[] Rng, bool TorchRng);

/// <summary>The role is restored; a learner also returns its policy version and weights (for the generators).</summary>
public sealed record RoleStateRestored(long Version, PolicyWeights? Weights);
