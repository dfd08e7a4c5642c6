using Microseg.Flows.Records;

namespace Microseg.Agent.Attribution;

/// <summary>Names the local side of a flow (<see cref="LocalUnitResolver"/> asks the kernel; tests give answers of their own).</summary>
internal interface ILocalUnitResolver : IDisposable
{
    /// <summary>The local unit of <paramref name="record"/>'s socket; no unit when there is no socket, or its cgroup cannot be named.</summary>
    LocalUnitLookup Resolve(in FlowRecord record);
}
