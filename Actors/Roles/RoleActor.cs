using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// The base of every RLHF role: a <see cref="ReceiveActor"/> on its own device whose batch handlers
/// (<see cref="ReceiveBatch{T}"/>) are idempotent per batch id and fail loudly. A failing model call
/// replies <see cref="Status.Failure"/> to the asker (so it can retry the same batch at once) and
/// rethrows, so the supervisor restarts the role; a duplicate batch id gets the earlier reply again
/// and the work is not done twice.
/// </summary>
public abstract class RoleActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private const int RepliesKept = 16;
    private readonly Dictionary<object, object> _replies = [];
    private readonly Queue<object> _order = new();
    private readonly int _torchThreads;
    private readonly bool _ownThread;

    /// <param name="device">Where this role's model lives: "cpu", "cuda", "cuda:N".</param>
    /// <param name="torchThreads">libtorch intra-op threads of this role's work (its <c>torch-threads</c>); 0: the process's.</param>
    protected RoleActor(Device device, int torchThreads = 0)
    {
        Devices.EnsureAvailable(device);
        VmlWarmup.Ensure();                                                           // before roles compute side by side
        Device = device;
        _torchThreads = torchThreads;
        _ownThread = Context.Dispatcher is PinnedDispatcher;
    }

    /// <summary>
    /// Each message computes with the role's intra-op threads: a thread of its own keeps them (set at the first message),
    /// a pool thread has them for the message only.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (_ownThread)
        {
            TorchThreads.Pin(_torchThreads);
            return base.AroundReceive(receive, message);
        }
        using (TorchThreads.Use(_torchThreads)) return base.AroundReceive(receive, message);
    }

    /// <summary>The device of this role's model; tensors are moved here on arrival.</summary>
    protected Device Device { get; }

    /// <summary>How many requests were answered from the duplicate cache (a metric for tests).</summary>
    protected int DuplicatesDropped { get; private set; }

    /// <summary>
    /// Handles <typeparamref name="T"/> requests: <paramref name="handle"/> computes the reply, which is
    /// sent to the asker and remembered under <paramref name="key"/> (the batch id by default).
    /// </summary>
    /// <param name="latestOnly">Keep only the newest reply of this type (a learner's reply carries a snapshot of every
    /// weight: a retry only ever repeats the current batch, and older snapshots must not be held).</param>
    protected void ReceiveBatch<T>(Func<T, object> handle, Func<T, object>? key = null, bool latestOnly = false) where T : IBatchMessage =>
        Receive<T>(request =>
        {
            var k = key?.Invoke(request) ?? (typeof(T), request.BatchId);
            if (_replies.TryGetValue(k, out var earlier))
            {
                DuplicatesDropped++;
                _log.Debug($"{GetType().Name}: duplicate batch {request.BatchId} dropped, earlier reply sent again");
                Sender.Tell(earlier, Self);
                return;
            }
            object reply;
            try { reply = handle(request); }
            catch (Exception e)
            {
                Sender.Tell(new Status.Failure(e), Self);
                throw;
            }
            if (latestOnly) Forget(reply.GetType());
            Remember(k, reply);
            Sender.Tell(reply, Self);
        });

    /// <summary>
    /// The learners' update: <paramref name="train"/> runs the epochs over one batch's experience; the reply is the next
    /// policy version with a snapshot of <paramref name="policy"/>'s weights and the metrics, which include the
    /// <c>policy_version</c> and the <c>batch_id</c> trained on (the run's accounting: each prompt batch once).
    /// </summary>
    /// <param name="shareWeights">Reply with the policy's own tensors instead of a copy (<see cref="ModelCopies.Snapshot"/>):
    /// right only when no one reads the weights while this role trains, as in sync PPO, where the trainer never generates
    /// during an update. Saves a copy of the model in memory and the time to make it. The views are made once and every
    /// update replies the same state (training changes the tensors in place), so a generator that already reads them
    /// has nothing to load (<see cref="RolloutGenerator"/>); a restore makes them again.</param>
    protected void ReceiveTrainPolicy(GptLM policy, PolicyVersion version, Func<Experience, Dictionary<string, double>> train, bool shareWeights = false) =>
        ReceiveBatch<TrainPolicy>(request =>
        {
            var metrics = train(request.Experience);
            var v = version.Increment();
            metrics["policy_version"] = v;
            metrics["batch_id"] = request.BatchId;
            var state = shareWeights ? _sharedWeights ??= ModelCopies.Snapshot(policy, shared: true) : ModelCopies.Snapshot(policy);
            return new PolicyUpdated(request.BatchId, v, new PolicyWeights(v, state), metrics);
        }, latestOnly: true);

    private Dictionary<string, Tensor>? _sharedWeights;                               // the policy's own tensors, as views (shareWeights)

    /// <summary>
    /// Handles <see cref="SaveRoleState"/> and <see cref="RestoreRoleState"/> for a trained role: <paramref name="model"/>,
    /// its <paramref name="optimizer"/> and libtorch's RNG go into a Models <see cref="Checkpoint"/> (step = the policy
    /// version, when there is one); the minibatch generator's state travels in the replies. A learner (with a
    /// <paramref name="version"/>) answers the restore with its version and weights, for the generators.
    /// </summary>
    /// <param name="updates">A role's update count without a policy version (the critic's, for its learning-rate schedule): saved as the step too.</param>
    protected void ReceiveCheckpoints(nn.Module model, GptConfig config, AdamW optimizer, SeededRandom rng, PolicyVersion? version = null,
        PolicyVersion? updates = null)
    {
        var generators = LoraDropout(model) is { } dropout ? new Dictionary<string, Generator> { ["lora-dropout"] = dropout } : null;
        Receive<SaveRoleState>(save => Durably(() =>
        {
            Checkpoint.Save(save.Dir, model, config, optimizer, version?.Value ?? updates?.Value ?? 0, generators);
            return new RoleStateSaved(rng.GetState());
        }));
        Receive<RestoreRoleState>(restore => Durably(() =>
        {
            using var checkpoint = Checkpoint.Load(restore.Dir);
            ForgetReplies();                                                          // back in time: a batch id seen since must be trained again
            checkpoint.Restore(model, optimizer, generators, torchRng: restore.TorchRng);
            _sharedWeights = null;                                                    // the model's tensors may be new ones
            rng.SetState(restore.Rng);
            updates?.Reset(checkpoint.Step);
            if (version is null) return new RoleStateRestored(0, null);
            version.Reset(checkpoint.Step);
            return new RoleStateRestored(checkpoint.Step, new PolicyWeights(checkpoint.Step, ModelCopies.Snapshot(model)));
        }));
    }

    /// <summary>
    /// Gives <paramref name="model"/>'s LoRA adapters a dropout stream of their own, drawn from <paramref name="seed"/>
    /// (learners train side by side: libtorch's one default generator would make their masks depend on timing); null
    /// without adapters. <see cref="ReceiveCheckpoints"/> saves and restores it.
    /// </summary>
    protected static void UseOwnLoraDropout(nn.Module model, long seed)
    {
        if (Lora.Adapters(model).Any()) model.SetDropoutGenerator(new Generator(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 17)));
    }

    private static Generator? LoraDropout(nn.Module model) => Lora.Adapters(model).Select(a => a.Adapter.generator).FirstOrDefault(g => g is not null);

    /// <summary>Replies <paramref name="handle"/>'s result, or <see cref="Status.Failure"/> with its exception (checkpoint save/restore).</summary>
    protected void Durably(Func<object> handle)
    {
        object reply;
        try { reply = handle(); }
        catch (Exception e) { reply = new Status.Failure(e); }
        Sender.Tell(reply, Self);
    }

    /// <summary>Empties the duplicate cache (the role's state went back to a checkpoint, e.g. a coordinator resumed a run).</summary>
    protected void ForgetReplies()
    {
        _replies.Clear();
        _order.Clear();
    }

    /// <summary>Drops the remembered replies of type <paramref name="type"/>.</summary>
    private void Forget(Type type)
    {
        foreach (var key in _replies.Where(kv => kv.Value.GetType() == type).Select(kv => kv.Key).ToList()) _replies.Remove(key);
    }

    private void Remember(object key, object reply)
    {
        _replies[key] = reply;
        _order.Enqueue(key);
        while (_order.Count > RepliesKept) _replies.Remove(_order.Dequeue());
    }
}
