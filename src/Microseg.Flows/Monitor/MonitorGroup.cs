using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Flows.Monitor;

/// <summary>Blocked or would-be-blocked flows of one endpoint, remote identity, service and deciding rule.</summary>
/// <param name="Endpoint">The local endpoint's identity.</param>
/// <param name="Remote">The remote identity.</param>
/// <param name="Direction">Direction of the flows' first packets.</param>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Port">Destination port or ICMP type.</param>
/// <param name="Rule">The deciding rule, or <c>default</c> for the endpoint default.</param>
public sealed record MonitorGroup(string Endpoint, string Remote, Direction Direction, byte Protocol, ushort Port, string Rule)
{
    /// <summary>The name reported for flows the endpoint default decided.</summary>
    public const string DefaultRule = "default";

    /// <summary>Flows passed in monitor mode that enforcement would drop (events and summaries, like <see cref="Denied"/>).</summary>
    public ulong WouldDeny { get; internal set; }

    /// <summary>Flows dropped (enforce): each deny event, and each denial a deny summary counts.</summary>
    public ulong Denied { get; internal set; }

    /// <summary>Of <see cref="Denied"/> and <see cref="WouldDeny"/>, those that got no event (counted in deny summaries).</summary>
    public ulong Suppressed { get; internal set; }

    public DateTimeOffset FirstSeen { get; internal set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset LastSeen { get; internal set; } = DateTimeOffset.MinValue;

    /// <summary>Distinct remote addresses, up to <see cref="MonitorReport.MaxAddressesPerGroup"/>.</summary>
    public IReadOnlyCollection<string> RemoteAddresses => _remotes;

    internal readonly SortedSet<string> _remotes = new(StringComparer.Ordinal);

    public ulong Total => WouldDeny + Denied;

    public string Service => FlowText.Service(Protocol, Port);
}
