namespace Microseg.Flows.Records;

/// <summary>
/// How a flow's local unit is named when its socket is in the root cgroup, which no systemd unit
/// owns: "(root cgroup)", the same in flow records, the discovery graph and every view of it. A
/// bare "/" (what daemons wrote before) read like a path or a missing value.
/// </summary>
public static class LocalUnitName
{
    /// <summary>The name of the root cgroup as a local unit.</summary>
    public const string RootCgroup = "(root cgroup)";

    /// <summary><paramref name="unit"/> as shown: the root cgroup's old name "/" becomes <see cref="RootCgroup"/>.</summary>
    public static string Of(string unit) => unit == "/" ? RootCgroup : unit;
}
