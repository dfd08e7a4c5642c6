using System.Net.NetworkInformation;
using Microseg.Agent.Settings;
using Microseg.Bpf;

namespace Microseg.Agent.Lifecycle;

/// <summary>An interface that exists now: name, the namespace it is in (null: ours) and its index there.</summary>
public readonly record struct PresentInterface(string Name, string? Namespace, int Ifindex)
{
    public string DisplayName => Namespace is null ? Name : $"{Name}@{Namespace}";
}

/// <summary>Turns the configured interface list into the interfaces that exist right now.</summary>
public static class InterfaceResolver
{
    /// <summary>
    /// Every present interface the specs name; a named interface that does not exist (yet) is
    /// simply absent, as is a namespace that does not exist.
    /// </summary>
    public static List<PresentInterface> Resolve(IEnumerable<InterfaceSpec> specs)
    {
        var result = new List<PresentInterface>();
        foreach (var group in specs.GroupBy(s => s.Namespace))
        {
            var names = group.ToList();
            if (group.Key is null)
            {
                result.AddRange(InCurrentNamespace(names, null));
                continue;
            }
            if (!File.Exists(Path.Combine(NetworkNamespace.NamedNamespaceDirectory, group.Key)))
                continue;
            try
            {
                using var ns = NetworkNamespace.Open(group.Key);
                result.AddRange(ns.Run(() => InCurrentNamespace(names, group.Key)));
            }
            catch (BpfException)
            {
                // The namespace went away between the check and the open: it has no interfaces.
            }
        }
        return result.DistinctBy(i => (i.Namespace, i.Name)).ToList();
    }

    /// <summary>Runs <paramref name="action"/> in the named namespace (null: here).</summary>
    public static T InNamespace<T>(string? name, Func<T> action)
    {
        if (name is null)
            return action();
        using var ns = NetworkNamespace.Open(name);
        return ns.Run(action);
    }

    private static List<PresentInterface> InCurrentNamespace(List<InterfaceSpec> specs, string? ns)
    {
        var found = new List<PresentInterface>();
        if (specs.Any(s => s.IsAll))
        {
            // getifaddrs, which this reads, answers for the calling thread's network namespace.
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.NetworkInterfaceType != NetworkInterfaceType.Loopback && TryIndex(nic.Name) is { } index)
                    found.Add(new PresentInterface(nic.Name, ns, index));
            }
        }
        foreach (var spec in specs.Where(s => !s.IsAll))
        {
            if (TryIndex(spec.Name) is { } index)
                found.Add(new PresentInterface(spec.Name, ns, index));
        }
        return found;
    }

    private static int? TryIndex(string name)
    {
        try
        {
            return NetworkNamespace.InterfaceIndex(name);
        }
        catch (BpfException)
        {
            return null;
        }
    }
}
