using Microseg.Datapath.Abi;

namespace Microseg.Flows.Discovery;

/// <summary>A local and a remote address one flow of an edge was seen between (replays judge these).</summary>
public readonly record struct AddressPair(IpAddress16 Local, IpAddress16 Remote);
