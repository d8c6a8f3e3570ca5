using Xunit.Abstractions;
using Xunit.Sdk;

namespace AkkaRlhf.Persistence.Tests.Support;

/// <summary>
/// A fact of a store spec. It is reported SKIPPED, with the reason, when its class needs a service that is not
/// installed here (<see cref="RequiresPostgreSqlAttribute"/>); the decision is taken at discovery, per concrete class,
/// so one abstract spec can run against every provider.
/// </summary>
[XunitTestCaseDiscoverer("AkkaRlhf.Persistence.Tests.Support.StoreFactDiscoverer", "AkkaRlhf.Persistence.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a spec class that needs a real PostgreSQL server.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgreSqlAttribute : Attribute;

/// <summary>Discovers <see cref="StoreFactAttribute"/> facts, skipping those whose service is missing.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var type = testMethod.TestClass.Class.ToRuntimeType();
        var reason = type is not null && type.IsDefined(typeof(RequiresPostgreSqlAttribute), inherit: true) ? PostgreSqlServer.SkipReason : null;
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        yield return reason is not null
            ? new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason)
            : new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod);
    }
}
