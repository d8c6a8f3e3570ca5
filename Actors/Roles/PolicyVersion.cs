namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// A learner's policy version, kept outside the actor instance (like its model) so that a restart
/// after a failure keeps counting where it was.
/// </summary>
public sealed class PolicyVersion(long initial = 0)
{
    private long _value = initial;

    public long Value => Interlocked.Read(ref _value);

    /// <summary>Moves to the next version and returns it.</summary>
    public long Increment() => Interlocked.Increment(ref _value);

    /// <summary>Sets the version (a learner restored from a checkpoint).</summary>
    public void Reset(long value) => Interlocked.Exchange(ref _value, value);
}
