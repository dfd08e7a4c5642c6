using System.Net.Sockets;
using System.Text.Json;
using Microseg.Agent.Control;
using Microseg.Cli.Daemon;
using Microsegctl = Microseg.Cli.Program;

namespace Microseg.Agent.Tests.Control;

/// <summary>microsegctl status and reload against a real Kestrel serving the control API on a unix socket.</summary>
public sealed class StatusCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Microsegctl.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertOneSentenceNoStackTrace((int Code, string Out, string Err) run)
    {
        Assert.Equal(2, run.Code);
        Assert.Equal("", run.Out);
        Assert.StartsWith("microsegctl: ", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", run.Err);
        Assert.DoesNotContain("Exception", run.Err);
    }

    [Fact]
    public async Task Status_shows_every_part_readably()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"));

        var run = Run("status", "--socket", server.SocketPath!);

        Assert.Equal((0, ""), (run.Code, run.Err));
        Assert.Equal(ExpectedText, run.Out);
    }

    private const string ExpectedText = """
        microsegd 1.2.3-test, running since 2025-01-01 00:00:00Z

        Policy
          file        /etc/microseg/policy.yaml
          sha256      9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
          generation  7, applied 2025-01-02 03:04:05Z
          reloads     4 succeeded, 1 failed, last success 2025-01-02 03:04:05Z
          last errors
            policy.yaml:3:1: error: unknown key 'rulez'

        Programs
          NAME            ID  TAG
          ms_xdp_ingress  41  a1b2c3d4e5f60718
          ms_tc_egress    42  0102030405060708

        Interfaces
          NAME  IFINDEX  XDP      EGRESS
          eth0        2  native   attached
          eth1        3  generic  not attached

        Endpoints
          IDENTITY  MODE     ADDRESSES
          web       enforce  10.0.0.1, fd00::1
          db        monitor  10.0.0.2

        Verdicts
          INTERFACE  DIRECTION  VERDICT  REASON          PACKETS  BYTES
          eth0       ingress    allow    policy_rule          10   1000
          eth0       ingress    deny     policy_default        3    180
          eth1       egress     allow    established           5    500

        Rule hits
          RULE                           KIND   PACKETS  BYTES
          allow-web                      allow       10   1000
          deny "legacy" C:\share\nline2  deny         3    180

        Maps
          MAP           ENTRIES  CAPACITY  USED
          ms_conntrack       12     65536  0.0%
          ms_policy          40    131072  0.0%

        Conntrack entries: 12
        Flow events: 100 delivered, 2 lost to the rate limit, 4 over the global budget, 1 lost to a full ring; denials summarised instead: 6 denied, 1 would-deny
        Local units of new flows: 40 resolved, 55 from a listener's cached unit, 4 unresolved, 1 dropped (queue full)

        """;

    [Fact]
    public async Task Status_of_a_daemon_with_nothing_yet_says_so_per_part()
    {
        using var dir = new TempDirectory();
        AgentStatusSnapshot empty = FakeAgentStatus.Sample with
        {
            PolicySha256 = null,
            PolicyAppliedAt = null,
            Interfaces = [],
            Endpoints = [],
            Programs = [],
            Maps = [],
            Verdicts = [],
            Rules = [],
            Reloads = new ReloadStats(0, 0, null, []),
        };
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(empty), dir.File("microseg.sock"));

        var run = Run("status", "--socket", server.SocketPath!);

        Assert.Equal(0, run.Code);
        Assert.Contains("  sha256      (none applied)\n  generation  7, applied never\n", run.Out);
        Assert.Contains("\nPrograms: none loaded\n\nInterfaces: none attached\n\nEndpoints: none in the policy\n", run.Out);
        Assert.Contains("\nVerdicts: no packets counted yet\n\nRule hits: no rule has decided a packet yet\n\nMaps: none\n", run.Out);
        Assert.DoesNotContain("last errors", run.Out);
    }

    [Fact]
    public async Task Status_json_is_the_daemons_json()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"));

        var run = Run("status", "--socket", server.SocketPath!, "--json");

        Assert.Equal((0, ""), (run.Code, run.Err));
        Assert.Equal(JsonSerializer.Serialize(FakeAgentStatus.Sample, ControlJsonContext.Api.AgentStatusSnapshot) + "\n", run.Out);
    }

    [Fact]
    public void A_missing_socket_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();
        string path = dir.File("microseg.sock");

        var run = Run("status", "--socket", path);

        AssertOneSentenceNoStackTrace(run);
        Assert.Equal($"microsegctl: {path} does not exist: microsegd is not running, or listens elsewhere (--socket).\n", run.Err);
    }

    [Fact]
    public void A_socket_nobody_listens_on_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();
        string path = dir.File("microseg.sock");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path)); // bound but not listening: connect is refused

        var run = Run("status", "--socket", path);

        AssertOneSentenceNoStackTrace(run);
        Assert.Equal($"microsegctl: Nothing is listening on {path}: microsegd is not running.\n", run.Err);
    }

    [Fact]
    public void A_socket_path_that_is_a_directory_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();

        var run = Run("status", "--socket", dir.Path);

        AssertOneSentenceNoStackTrace(run);
    }

    [Fact]
    public void Permission_denied_says_who_may_connect()
    {
        string message = ControlClient.Explain(
            new HttpRequestException("denied", new SocketException((int)SocketError.AccessDenied)), "/run/microseg/microseg.sock");

        Assert.Equal("Permission denied on /run/microseg/microseg.sock: run as root or as a member of the microseg group.", message);
    }

    [Fact]
    public async Task A_daemon_error_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();
        var status = new FakeAgentStatus();
        await using var server = await AgentTestServer.StartAsync(status, dir.File("microseg.sock"));
        status.SnapshotFailure = new IOException("Reading ms_conntrack failed");

        var run = Run("status", "--socket", server.SocketPath!);

        AssertOneSentenceNoStackTrace(run);
        Assert.Equal("microsegctl: microsegd answered 500: microsegd could not take its status: Reading ms_conntrack failed.\n", run.Err);
    }

    [Fact]
    public async Task Reload_applied_is_exit_0()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"));

        var run = Run("reload", "--socket", server.SocketPath!);

        Assert.Equal((0, "policy applied: generation 8\n", ""), run);
    }

    [Fact]
    public async Task Reload_refused_prints_the_errors_and_is_exit_1()
    {
        using var dir = new TempDirectory();
        var status = new FakeAgentStatus { NextReload = new ReloadOutcome(false, 7, ["policy.yaml:3:1: error: unknown key 'rulez'"]) };
        await using var server = await AgentTestServer.StartAsync(status, dir.File("microseg.sock"));

        var run = Run("reload", "--socket", server.SocketPath!);

        Assert.Equal(
            (1, "policy.yaml:3:1: error: unknown key 'rulez'\n", "microsegctl: microsegd refused the policy; generation 7 stays enforced.\n"),
            run);
    }

    [Fact]
    public async Task Reload_json_is_the_daemons_json_with_the_same_exit_code()
    {
        using var dir = new TempDirectory();
        var status = new FakeAgentStatus { NextReload = new ReloadOutcome(false, 7, ["bad"]) };
        await using var server = await AgentTestServer.StartAsync(status, dir.File("microseg.sock"));

        var run = Run("reload", "--socket", server.SocketPath!, "--json");

        Assert.Equal((1, "{\"applied\":false,\"generation\":7,\"errors\":[\"bad\"]}\n", ""), run);
    }
}
