namespace AkkaRlhf.Runtime;

/// <summary>Tell with an implicit sender, and Forward.</summary>
public static class ActorRefExtensions
{
    /// <summary>Tells <paramref name="message"/> with the implicit sender (Self inside an actor; see <see cref="ImplicitSender"/>).</summary>
    public static void Tell(this ICanTell receiver, object message) => receiver.Tell(message, ImplicitSender.Resolve());

    /// <summary>Tells <paramref name="message"/> keeping the current message's sender (only inside an actor).</summary>
    public static void Forward(this ICanTell receiver, object message)
    {
        var cell = ActorCell.Current ?? throw new InvalidOperationException("Forward can only be used inside an actor.");
        receiver.Tell(message, cell.Sender);
    }

    /// <summary>True if the reference is for this process (its address has no host).</summary>
    public static bool IsLocal(this IActorRef actor) => actor.Path.Address.HasLocalScope;
}
