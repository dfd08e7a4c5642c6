using System.Net;
using System.Net.NetworkInformation;
using Microseg.Bpf;
using Microseg.Policy.Interfaces;

namespace Microseg.Cli;

/// <summary>
/// The addresses of interfaces on this machine, named as microsegd's settings name them
/// (<c>eth0</c>, or <c>eth0@NETNS</c> in a named network namespace), for <c>policy check --interface</c>.
/// </summary>
internal static class LocalInterfaces
{
    /// <summary>Each named interface's addresses; throws <see cref="ArgumentException"/> naming one that does not exist.</summary>
    public static List<InterfaceAddresses> Read(IEnumerable<string> names)
    {
        var found = new List<InterfaceAddresses>();
        foreach (var name in names)
        {
            var at = name.IndexOf('@', StringComparison.Ordinal);
            var (device, ns) = at < 0 ? (name, null) : (name[..at], name[(at + 1)..]);
            var addresses = ns is null ? ReadHere(device) : InNamespace(ns, () => ReadHere(device));
            found.Add(new InterfaceAddresses(name, addresses ?? throw new ArgumentException($"no interface {name} on this machine")));
        }
        return found;
    }

    private static T InNamespace<T>(string ns, Func<T> action)
    {
        try
        {
            using var handle = NetworkNamespace.Open(ns);
            return handle.Run(action);
        }
        catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot enter network namespace {ns}: {e.Message}", e);
        }
    }

    // getifaddrs (behind NetworkInterface) answers for the calling thread's network namespace.
    private static List<IPAddress>? ReadHere(string device) =>
        NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device) is { } nic
            ? [.. nic.GetIPProperties().UnicastAddresses.Select(u => InterfaceOwnership.Normalize(u.Address))]
            : null;
}
