using System.Diagnostics.Metrics;
using Microseg.Agent.Control;
using Microseg.Agent.Metrics;
using Microseg.Agent.Tests.Control;

namespace Microseg.Agent.Tests.Metrics;

/// <summary>The /metrics text, byte for byte, for a known daemon state.</summary>
public sealed class PrometheusExpositionTests
{
    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private static string Scrape(FakeAgentStatus status)
    {
        using var metrics = new MicrosegMetrics(status);
        using var exposition = new PrometheusExposition(metrics.Meter, metrics.BeginScrape);
        return exposition.Collect();
    }

    [Fact]
    public void The_sample_daemon_is_exposed_exactly()
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

        Assert.Equal(expected, Scrape(new FakeAgentStatus()));
    }

    [Fact]
    public void One_scrape_takes_one_snapshot()
    {
        var status = new FakeAgentStatus();
        using var metrics = new MicrosegMetrics(status);
        using var exposition = new PrometheusExposition(metrics.Meter, metrics.BeginScrape);

        exposition.Collect();
        exposition.Collect();

        Assert.Equal(2, status.Snapshots);
    }

    [Fact]
    public void A_daemon_that_never_applied_a_policy_has_empty_families_and_a_zero_timestamp()
    {
        AgentStatusSnapshot empty = FakeAgentStatus.Sample with
        {
            Verdicts = [],
            Rules = [],
            Maps = [],
            Reloads = new ReloadStats(0, 0, null, []),
        };

        string text = Scrape(new FakeAgentStatus(empty));

        Assert.Contains("# TYPE microseg_packets_total counter\n# HELP microseg_policy_generation", text);
        Assert.DoesNotContain("microseg_packets_total{", text);
        Assert.Contains("\nmicroseg_policy_last_success_timestamp_seconds 0\n", text);
        Assert.Contains("\nmicroseg_policy_reloads_total{result=\"succeeded\"} 0\n", text);
    }

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline_and_help_escapes_backslash_and_newline()
    {
        using var meter = new Meter("escaping-test");
        meter.CreateObservableGauge(
            "test_value", () => new Measurement<long>(1, new KeyValuePair<string, object?>("label", "a\\b\"c\nd")),
            null, "help with \\ and \"quotes\" and\na newline");
        using var exposition = new PrometheusExposition(meter);

        Assert.Equal(
            "# HELP test_value help with \\\\ and \"quotes\" and\\na newline\n" +
            "# TYPE test_value gauge\n" +
            "test_value{label=\"a\\\\b\\\"c\\nd\"} 1\n",
            exposition.Collect());
    }

    [Fact]
    public void Repeated_label_sets_are_one_series_summed_for_counters_and_last_for_gauges()
    {
        using var meter = new Meter("duplicates-test");
        meter.CreateObservableCounter("test_things_total", () => new Measurement<long>[]
        {
            new(2, new("b", "1"), new("a", "x")),
            new(3, new("a", "x"), new("b", "1")),
            new(1, new("a", "w"), new("b", "1")),
        });
        meter.CreateObservableGauge("test_level", () => new Measurement<double>[] { new(1.5, Tag("a", "x")), new(2.25, Tag("a", "x")) });
        meter.CreateObservableUpDownCounter("test_in_flight", () => -4L);
        using var exposition = new PrometheusExposition(meter);

        Assert.Equal(
            "# HELP test_in_flight test_in_flight\n# TYPE test_in_flight gauge\ntest_in_flight -4\n" +
            "# HELP test_level test_level\n# TYPE test_level gauge\ntest_level{a=\"x\"} 2.25\n" +
            "# HELP test_things_total test_things_total\n# TYPE test_things_total counter\n" +
            "test_things_total{b=\"1\",a=\"x\"} 5\n" +
            "test_things_total{a=\"w\",b=\"1\"} 1\n",
            exposition.Collect());
    }

    [Fact]
    public void Special_doubles_use_the_text_format_spelling()
    {
        using var meter = new Meter("special-test");
        meter.CreateObservableGauge("test_nan", () => double.NaN);
        meter.CreateObservableGauge("test_pinf", () => double.PositiveInfinity);
        meter.CreateObservableGauge("test_ninf", () => double.NegativeInfinity);
        using var exposition = new PrometheusExposition(meter);

        string text = exposition.Collect();

        Assert.Contains("\ntest_nan NaN\n", text);
        Assert.Contains("\ntest_pinf +Inf\n", text);
        Assert.Contains("\ntest_ninf -Inf\n", text);
    }

    [Fact]
    public void Other_meters_and_synchronous_instruments_are_not_exposed()
    {
        using var mine = new Meter("mine-test");
        using var other = new Meter("mine-test");
        mine.CreateObservableGauge("test_mine", () => 1L);
        mine.CreateCounter<long>("test_sync_total").Add(5);
        other.CreateObservableGauge("test_other", () => 2L);
        using var exposition = new PrometheusExposition(mine);

        Assert.Equal("# HELP test_mine test_mine\n# TYPE test_mine gauge\ntest_mine 1\n", exposition.Collect());
    }
}
