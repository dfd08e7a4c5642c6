using Microseg.Datapath.Abi;
using Microseg.Datapath.Slots;
using Microseg.Policy.Interfaces;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Puts the interfaces' owners (<see cref="InterfaceOwnership"/>) into a compiled image, by
/// interface slot: the owner's kernel entry is the one its listed address already has, so an
/// unlisted address is judged exactly as the owner's own addresses are.
/// </summary>
public static class InterfaceEndpointFill
{
    /// <summary>Replaces <paramref name="image"/>'s interface owners with those given.</summary>
    /// <param name="image">A compiled image (its endpoints written).</param>
    /// <param name="owners">Each attached interface's slot in ms_interface_slots and its owner. Interfaces that share a slot (more than the slots) get the stricter owner.</param>
    public static void Fill(SlotImage image, IEnumerable<(uint InterfaceSlot, InterfaceOwner Owner)> owners)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(owners);
        image.InterfaceEndpoints.Clear();
        foreach (var (slot, owner) in owners)
        {
            if (owner.ListedAddress is not { } address ||
                !image.Endpoints.TryGetValue(IpAddress16.From(address), out var value))
                continue;
            if (image.InterfaceEndpoints.TryGetValue(slot, out var held) && held.Mode >= value.Mode)
                continue;
            image.InterfaceEndpoints[slot] = value;
        }
    }
}
