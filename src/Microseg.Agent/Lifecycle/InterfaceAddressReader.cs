using System.Net;
using System.Net.NetworkInformation;
using Microseg.Bpf;
using Microseg.Policy.Interfaces;

namespace Microseg.Agent.Lifecycle;

/// <summary>
/// The addresses the attached interfaces have now, link-local and secondary ones included:
/// what decides which endpoint owns an interface, and which addresses no endpoint lists.
/// Read again on every interface poll, so an address added while the daemon runs is seen.
/// </summary>
public static class InterfaceAddressReader
{
    /// <summary>Each attached interface's counter slot and addresses; an interface whose namespace cannot be entered gets none.</summary>
    public static List<(uint Slot, InterfaceAddresses Addresses)> Read(IEnumerable<AttachedInterface> attached)
    {
        ArgumentNullException.ThrowIfNull(attached);
        var found = new List<(uint, InterfaceAddresses)>();
        foreach (var group in attached.GroupBy(a => a.Namespace))
        {
            Dictionary<string, List<IPAddress>> byName;
            try
            {
                byName = InterfaceResolver.InNamespace(group.Key, ReadHere);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpfException or NetworkInformationException or InvalidOperationException)
            {
                // The namespace is gone: the next reconcile forgets its interfaces.
                byName = [];
            }
            foreach (var nic in group)
                found.Add((nic.Slot, new InterfaceAddresses(nic.DisplayName, byName.GetValueOrDefault(nic.Name) ?? [])));
        }
        return found;
    }

    // getifaddrs (behind NetworkInterface) answers for the calling thread's network namespace.
    private static Dictionary<string, List<IPAddress>> ReadHere()
    {
        var byName = new Dictionary<string, List<IPAddress>>(StringComparer.Ordinal);
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            byName[nic.Name] = [.. nic.GetIPProperties().UnicastAddresses.Select(u => InterfaceOwnership.Normalize(u.Address))];
        return byName;
    }
}
