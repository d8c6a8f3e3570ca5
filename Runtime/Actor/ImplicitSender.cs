namespace AkkaRlhf.Runtime;

/// <summary>
/// The sender used by <c>Tell(message)</c> outside any actor, per async flow (the TestKit sets it
/// to its TestActor). Inside an actor, Self is always the implicit sender.
/// </summary>
public static class ImplicitSender
{
    private static readonly AsyncLocal<IActorRef?> s_current = new();

    /// <summary>The implicit sender of the current async flow, or null.</summary>
    public static IActorRef? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>The sender <c>Tell(message)</c> uses here: the current actor, else <see cref="Current"/>.</summary>
    public static IActorRef? Resolve() => ActorCell.Current?.Self ?? s_current.Value;
}
