using System.Text;
using Microseg.Agent.Control;
using Microseg.Agent.Metrics;
using Microseg.Agent.Tests.Control;
using Prometheus;

namespace Microseg.Agent.Tests.Metrics;

/// <summary>The /metrics text prometheus-net writes from microsegd's snapshot, byte for byte, for a known daemon state.</summary>
public sealed class MicrosegMetricsTests
{
    private static async Task<string> ScrapeAsync(MicrosegMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.WriteAsync(text, CancellationToken.None);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private static async Task<string> ScrapeAsync(FakeAgentStatus status)
    {
        using var metrics = new MicrosegMetrics(status);
        return await ScrapeAsync(metrics);
    }

    [Fact]
    public async Task The_sample_daemon_is_exposed_exactly()
    {
        string runtime = Environment.Version.ToString();
        string expected = $$"""
            # HELP microseg_build_info Always 1; the labels say which microsegd is running.
            # TYPE microseg_build_info gauge
            microseg_build_info{version="1.2.3-test",runtime="{{runtime}}"} 1
            # HELP microseg_bytes_total Bytes of the packets judged by the datapath, by interface, direction, verdict and reason.
            # TYPE microseg_bytes_total counter
            microseg_bytes_total{interface="eth0",direction="ingress",verdict="allow",reason="policy_rule"} 1000
            microseg_bytes_total{interface="eth0",direction="ingress",verdict="deny",reason="policy_default"} 180
            microseg_bytes_total{interface="eth1",direction="egress",verdict="allow",reason="established"} 500
            # HELP microseg_conntrack_entries Entries in the connection tracking map.
            # TYPE microseg_conntrack_entries gauge
            microseg_conntrack_entries 12
            # HELP microseg_denials_summarised_total Denials recorded from the kernel's deny summaries rather than one event each, by verdict: deny or would_deny.
            # TYPE microseg_denials_summarised_total counter
            microseg_denials_summarised_total{verdict="deny"} 6
            microseg_denials_summarised_total{verdict="would_deny"} 1
            # HELP microseg_events_delivered_total Flow events read from the ring buffer by the daemon.
            # TYPE microseg_events_delivered_total counter
            microseg_events_delivered_total 100
            # HELP microseg_events_lost_total Flow events the kernel did not deliver: rate_limited (the per-source rate limit), budget (the global deny event budget) or ring_full; each such denial is in a deny summary.
            # TYPE microseg_events_lost_total counter
            microseg_events_lost_total{reason="budget"} 4
            microseg_events_lost_total{reason="rate_limited"} 2
            microseg_events_lost_total{reason="ring_full"} 1
            # HELP microseg_flow_attribution_total New flows by how their local unit was named: resolved (from the kernel's socket table), cached (a listener's unit), unresolved (no socket found) or dropped (the resolver's queue was full).
            # TYPE microseg_flow_attribution_total counter
            microseg_flow_attribution_total{outcome="cached"} 55
            microseg_flow_attribution_total{outcome="dropped"} 1
            microseg_flow_attribution_total{outcome="resolved"} 40
            microseg_flow_attribution_total{outcome="unresolved"} 4
            # HELP microseg_map_capacity_entries Capacity of each BPF map in entries (both slots, for the policy maps).
            # TYPE microseg_map_capacity_entries gauge
            microseg_map_capacity_entries{map="ms_conntrack"} 65536
            microseg_map_capacity_entries{map="ms_policy"} 131072
            # HELP microseg_map_entries Entries in each BPF map (both slots, for the policy maps).
            # TYPE microseg_map_entries gauge
            microseg_map_entries{map="ms_conntrack"} 12
            microseg_map_entries{map="ms_policy"} 40
            # HELP microseg_packets_total Packets judged by the datapath, by interface, direction, verdict and reason.
            # TYPE microseg_packets_total counter
            microseg_packets_total{interface="eth0",direction="ingress",verdict="allow",reason="policy_rule"} 10
            microseg_packets_total{interface="eth0",direction="ingress",verdict="deny",reason="policy_default"} 3
            microseg_packets_total{interface="eth1",direction="egress",verdict="allow",reason="established"} 5
            # HELP microseg_policy_generation Generation of the policy in the datapath; it grows by one with each applied policy.
            # TYPE microseg_policy_generation gauge
            microseg_policy_generation 7
            # HELP microseg_policy_last_success_timestamp_seconds Unix time of the last policy load or reload that was applied; 0 if none has been.
            # TYPE microseg_policy_last_success_timestamp_seconds gauge
            microseg_policy_last_success_timestamp_seconds 1735787045.5
            # HELP microseg_policy_reloads_total Policy reloads by result: succeeded (applied) or failed (refused; the running policy stayed).
            # TYPE microseg_policy_reloads_total counter
            microseg_policy_reloads_total{result="failed"} 1
            microseg_policy_reloads_total{result="succeeded"} 4
            # HELP microseg_rule_hits_bytes_total Bytes of the packets decided by each policy rule.
            # TYPE microseg_rule_hits_bytes_total counter
            microseg_rule_hits_bytes_total{rule="allow-web",kind="allow"} 1000
            microseg_rule_hits_bytes_total{rule="deny \"legacy\" C:\\share\nline2",kind="deny"} 180
            # HELP microseg_rule_hits_packets_total Packets decided by each policy rule.
            # TYPE microseg_rule_hits_packets_total counter
            microseg_rule_hits_packets_total{rule="allow-web",kind="allow"} 10
            microseg_rule_hits_packets_total{rule="deny \"legacy\" C:\\share\nline2",kind="deny"} 3

            """;

        Assert.Equal(expected, await ScrapeAsync(new FakeAgentStatus()));
    }

    [Fact]
    public async Task One_scrape_takes_one_snapshot()
    {
        var status = new FakeAgentStatus();
        using var metrics = new MicrosegMetrics(status);

        await ScrapeAsync(metrics);
        await ScrapeAsync(metrics);

        Assert.Equal(2, status.Snapshots);
    }

    [Fact]
    public async Task Concurrent_scrapes_each_take_their_own_snapshot_and_see_it_whole()
    {
        var status = new FakeAgentStatus();
        using var metrics = new MicrosegMetrics(status);

        string[] texts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => ScrapeAsync(metrics))));

        Assert.Equal(8, status.Snapshots);
        Assert.All(texts, text => Assert.Equal(texts[0], text));
    }

    [Fact]
    public async Task A_daemon_that_never_applied_a_policy_has_empty_families_and_a_zero_timestamp()
    {
        AgentStatusSnapshot empty = FakeAgentStatus.Sample with
        {
            Verdicts = [],
            Rules = [],
            Maps = [],
            Reloads = new ReloadStats(0, 0, null, []),
        };

        string text = await ScrapeAsync(new FakeAgentStatus(empty));

        Assert.Contains("# TYPE microseg_packets_total counter\n# HELP microseg_policy_generation", text);
        Assert.DoesNotContain("microseg_packets_total{", text);
        Assert.Contains("\nmicroseg_policy_last_success_timestamp_seconds 0\n", text);
        Assert.Contains("\nmicroseg_policy_reloads_total{result=\"succeeded\"} 0\n", text);
    }

    [Fact]
    public async Task Each_scrape_reads_the_counters_as_they_are_then_with_no_polling_in_between()
    {
        var status = new FakeAgentStatus();
        using var metrics = new MicrosegMetrics(status);
        Assert.Contains("\nmicroseg_packets_total{interface=\"eth0\",direction=\"ingress\",verdict=\"allow\",reason=\"policy_rule\"} 10\n", await ScrapeAsync(metrics));

        status.Current = FakeAgentStatus.Sample with
        {
            Verdicts = [new("eth0", "ingress", "allow", "policy_rule", 11, 1100), .. FakeAgentStatus.Sample.Verdicts.Skip(1)],
            Events = FakeAgentStatus.Sample.Events with { Delivered = 101 },
        };
        string text = await ScrapeAsync(metrics);

        Assert.Contains("\nmicroseg_packets_total{interface=\"eth0\",direction=\"ingress\",verdict=\"allow\",reason=\"policy_rule\"} 11\n", text);
        Assert.Contains("\nmicroseg_bytes_total{interface=\"eth0\",direction=\"ingress\",verdict=\"allow\",reason=\"policy_rule\"} 1100\n", text);
        Assert.Contains("\nmicroseg_events_delivered_total 101\n", text);
    }

    [Fact]
    public async Task A_kernel_counter_that_went_back_is_shown_as_read_and_series_gone_from_the_snapshot_are_dropped()
    {
        var status = new FakeAgentStatus();
        using var metrics = new MicrosegMetrics(status);
        await ScrapeAsync(metrics);

        // The maps were replaced (a pinned-state upgrade): their counters start again from zero,
        // the awkward rule is gone, and eth1 is detached.
        status.Current = FakeAgentStatus.Sample with
        {
            Verdicts = [new("eth0", "ingress", "allow", "policy_rule", 2, 200)],
            Rules = [new("allow-web", "allow", 2, 200)],
            Attribution = null,
        };
        string text = await ScrapeAsync(metrics);

        Assert.Contains("\nmicroseg_packets_total{interface=\"eth0\",direction=\"ingress\",verdict=\"allow\",reason=\"policy_rule\"} 2\n", text);
        Assert.Contains("\nmicroseg_rule_hits_packets_total{rule=\"allow-web\",kind=\"allow\"} 2\n", text);
        Assert.DoesNotContain("eth1", text);
        Assert.DoesNotContain("legacy", text);
        Assert.DoesNotContain("microseg_flow_attribution_total{", text);
        Assert.Contains("# TYPE microseg_flow_attribution_total counter\n", text);
    }

    [Fact]
    public async Task A_failed_snapshot_fails_the_scrape_before_anything_is_written()
    {
        var status = new FakeAgentStatus();
        using var metrics = new MicrosegMetrics(status);
        await ScrapeAsync(metrics);
        status.SnapshotFailure = new IOException("Reading ms_conntrack failed");

        using var text = new MemoryStream();
        var failure = await Assert.ThrowsAsync<ScrapeFailedException>(() => metrics.WriteAsync(text, CancellationToken.None));

        Assert.Contains("Reading ms_conntrack failed", failure.Message);
        Assert.Equal(0, text.Length);
    }

    [Fact]
    public async Task Two_agents_in_one_process_have_registries_of_their_own_and_no_runtime_metrics()
    {
        using var first = new MicrosegMetrics(new FakeAgentStatus());
        using var second = new MicrosegMetrics(new FakeAgentStatus(FakeAgentStatus.Sample with { PolicyGeneration = 9 }));

        string one = await ScrapeAsync(first);
        string two = await ScrapeAsync(second);

        Assert.Contains("\nmicroseg_policy_generation 7\n", one);
        Assert.Contains("\nmicroseg_policy_generation 9\n", two);
        Assert.All(one.Split('\n', StringSplitOptions.RemoveEmptyEntries), line =>
            Assert.True(line.StartsWith("microseg_", StringComparison.Ordinal) || line.StartsWith("# HELP microseg_", StringComparison.Ordinal)
                || line.StartsWith("# TYPE microseg_", StringComparison.Ordinal), line));
    }
}
