using System.Net;
using Microseg.Policy.Model;

namespace Microseg.Policy.Interfaces;

/// <summary>Who judges an interface's addresses that no endpoint lists, and which those are.</summary>
/// <param name="Interface">The interface's name.</param>
/// <param name="Endpoint">The owning endpoint; null when no endpoint lists an address on the interface.</param>
/// <param name="ListedAddress">An address of <paramref name="Endpoint"/> on the interface (the one that made it a candidate); null with no owner.</param>
/// <param name="Unlisted">The interface's addresses that no endpoint lists, in the order the interface reported them.</param>
public sealed record InterfaceOwner(string Interface, LocalEndpoint? Endpoint, IPAddress? ListedAddress, IReadOnlyList<IPAddress> Unlisted)
{
    /// <summary>
    /// One warning sentence per unlisted address, naming the interface, the address and how it
    /// is judged, for <c>microsegctl policy check</c> and <c>status</c>.
    /// </summary>
    public IEnumerable<string> Warnings()
    {
        foreach (var address in Unlisted)
        {
            yield return Endpoint is { } owner
                ? $"{Interface}: address {address} is listed by no endpoint; it is judged as endpoint '{owner.Identity}', which owns {Interface} (list it to make that explicit)"
                : $"{Interface}: address {address} is listed by no endpoint, and no endpoint lists an address on {Interface}: it is passed unjudged";
        }
    }
}
