using System.Net;
using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>An address or CIDR prefix as written in the file; a host address is a full-length prefix.</summary>
/// <param name="Network">The prefix (/32 or /128 for a single host).</param>
/// <param name="Position">Where it was written.</param>
public sealed record AddressEntry(IPNetwork Network, SourcePosition Position)
{
    /// <summary>True for a single host address rather than a shorter prefix.</summary>
    public bool IsHost => Network.PrefixLength == (Network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);

    /// <summary>"10.0.0.1" for a host, "10.0.0.0/8" for a prefix.</summary>
    public override string ToString() => IsHost ? Network.BaseAddress.ToString() : Network.ToString();
}
