using AkkaRlhf.Cluster.TestNode;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>A spec that needs a real rabbitmq-server: reported SKIPPED, with the reason, where there is none.</summary>
public sealed class RabbitMqFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> at discovery when the broker is missing.</summary>
    public RabbitMqFactAttribute()
    {
        if (RabbitMqBroker.MissingReason is { } reason) Skip = reason;
    }
}
