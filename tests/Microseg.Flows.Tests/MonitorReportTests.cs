using Microseg.Flows.Monitor;
using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Flows.Tests;

/// <summary>What enforcement blocks or would block, grouped.</summary>
public sealed class MonitorReportTests
{
    [Fact]
    public void Blocked_flows_group_by_endpoint_remote_service_and_rule()
    {
        MonitorReport report = MonitorReport.Of(Lab.Day());

        Assert.Equal(2, report.Groups.Count);
        MonitorGroup probe = report.Groups[0];
        Assert.Equal(("db", "world", Direction.Ingress, "tcp/5432", "default"), (probe.Endpoint, probe.Remote, probe.Direction, probe.Service, probe.Rule));
        Assert.Equal((2ul, 0ul), (probe.WouldDeny, probe.Denied));
        Assert.Equal((Lab.Start.AddMinutes(30), Lab.Start.AddMinutes(31)), (probe.FirstSeen, probe.LastSeen));
        Assert.Equal([Lab.Attacker], probe.RemoteAddresses);

        MonitorGroup ssh = report.Groups[1];
        Assert.Equal(("api", "tcp/22", "no-ssh", 1ul, 0ul), (ssh.Endpoint, ssh.Service, ssh.Rule, ssh.Denied, ssh.WouldDeny));
    }

    [Fact]
    public void Different_rules_make_different_groups_and_addresses_are_bounded()
    {
        var records = new List<FlowRecord>();
        for (int i = 0; i < 20; i++)
        {
            records.Add(Lab.Flow(Lab.Db, $"198.51.100.{i}", Direction.Ingress, 6, 5432, Datapath.Abi.Verdict.WouldDeny, minute: i));
        }

        records.Add(Lab.Flow(Lab.Db, Lab.Attacker, Direction.Ingress, 6, 5432, Datapath.Abi.Verdict.Deny, rule: "no-ssh"));

        MonitorReport report = MonitorReport.Of(records);

        Assert.Equal(2, report.Groups.Count);
        Assert.Equal(20ul, report.Groups[0].WouldDeny);
        Assert.Equal(MonitorReport.MaxAddressesPerGroup, report.Groups[0].RemoteAddresses.Count);
        Assert.Contains("\"rule\": \"no-ssh\"", report.Json());
        Assert.Matches(@"db\s+world\s+ingress\s+tcp/5432\s+default\s+20\s+0\s", report.Table());
    }

    [Fact]
    public void Nothing_blocked_says_so()
    {
        Assert.Equal("Nothing was blocked, and enforcement would block nothing that was seen.\n",
            MonitorReport.Of(Lab.Day().Where(r => r.Verdict == Datapath.Abi.Verdict.Allow)).Table());
    }
}
