using System.Net;

namespace Microseg.Policy.Interfaces;

/// <summary>One interface Microseg enforces on, and the addresses it has now.</summary>
/// <param name="Name">The interface's name as the settings write it (<c>eth0</c>, or <c>eth0@netns</c> in another namespace).</param>
/// <param name="Addresses">Every address on it, link-local included (scope ids are ignored).</param>
public sealed record InterfaceAddresses(string Name, IReadOnlyList<IPAddress> Addresses);
