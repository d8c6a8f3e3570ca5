using Akka.Actor;
using Akka.Serialization;
using AkkaRlhf.Actors.Serialization;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>Bytes sent as they are, under <paramref name="Manifest"/>, as if <see cref="RlhfSerializer"/> had written them.</summary>
public sealed record Forged(string Manifest, byte[] Bytes);

/// <summary>
/// The RLHF serializer of a misbehaving peer: it takes <see cref="RlhfSerializer"/>'s id and serves every message through a
/// real one, except <see cref="Forged"/>, whose manifest and bytes go on the wire unchecked (an unknown manifest, a
/// truncated payload). Configured in place of the real one as <c>akka.actor.serializers.rlhf</c>.
/// </summary>
public sealed class ForgingSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private readonly RlhfSerializer _real = new(system);

    public override int Identifier => RlhfSerializer.Id;

    public override string Manifest(object o) => o is Forged forged ? forged.Manifest : _real.Manifest(o);

    public override byte[] ToBinary(object obj) => obj is Forged forged ? forged.Bytes : _real.ToBinary(obj);

    public override object FromBinary(byte[] bytes, string manifest) => _real.FromBinary(bytes, manifest);
}
