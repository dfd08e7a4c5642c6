using Microseg.Cli.Bench;

namespace Microseg.Agent.Tests.Cli;

/// <summary>
/// microsegctl bench runs every part of the SRE benchmark in one run, in an order where the
/// throughput part finds the per-packet results it charts, and says why a part cannot run.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly DirectoryInfo _checkout = Directory.CreateTempSubdirectory("microseg-bench-plan-");

    [Fact]
    public void EveryPartRunsWithItsResultInTheOutputDirectoryAndSreLast()
    {
        Touch("artifacts/native/microsegd");
        Touch("artifacts/native/microsegctl");
        Touch("artifacts/publish/agent/microsegd");
        Touch("artifacts/bench-bin/ringbuf_consumer");
        var steps = BenchCommand.Plan(BenchCommand.Parts, "/out", _checkout.FullName, daemon: null, check: true,
            sre => sre.AddRange(["--rules", "1000"]));

        Assert.Equal(["datapath", "ringbuf", "policy", "agent", "sre"], steps.Select(s => s.Part));
        Assert.All(steps, s => Assert.Null(s.SkippedBecause));
        Assert.Equal(["datapath", "--out", "/out/datapath.json", "--check"], steps[0].Arguments);
        Assert.Equal(["ringbuf", "--out", "/out/ringbuf.json"], steps[1].Arguments);
        Assert.Equal(["policy", "--out", "/out/policy.json"], steps[2].Arguments);
        Assert.Equal(["agent", "--daemon", Path.Combine(_checkout.FullName, "artifacts/native/microsegd"),
            "--ready-to-run", Path.Combine(_checkout.FullName, "artifacts/publish/agent/microsegd"),
            "--ctl", Path.Combine(_checkout.FullName, "artifacts/native/microsegctl"), "--out", "/out/agent.json"], steps[3].Arguments);
        // sre reads OUT-DIR/datapath.json by default: the same directory the datapath part wrote.
        Assert.Equal(["sre", "--out-dir", "/out", "--rules", "1000", "--check"], steps[4].Arguments);
    }

    [Fact]
    public void APartThatCannotRunHereIsSkippedWithWhatWouldMakeItRun()
    {
        var steps = BenchCommand.Plan(BenchCommand.Parts, "/out", _checkout.FullName, daemon: null, check: false, _ => { });

        string agentSkip = steps.Single(s => s.Part == "agent").SkippedBecause!;
        Assert.Contains("artifacts/native/microsegd", agentSkip);
        Assert.Contains("--daemon PATH", agentSkip);
        Assert.Contains("make bench-ringbuf", steps.Single(s => s.Part == "ringbuf").SkippedBecause);
        Assert.Null(steps.Single(s => s.Part == "datapath").SkippedBecause);
        Assert.DoesNotContain(steps, s => s.Arguments.Contains("--check"));
    }

    [Fact]
    public void ANamedDaemonIsTheOneMeasured()
    {
        var daemon = Touch("elsewhere/microsegd");
        var step = BenchCommand.Plan(["agent"], "/out", _checkout.FullName, daemon, check: false, _ => { }).Single();

        Assert.Null(step.SkippedBecause);
        Assert.Equal(daemon, step.Arguments[2]);
    }

    [Fact]
    public void AnUnknownPartIsRefusedByName()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Microseg.Cli.Program.Run(["bench", "--parts", "datapath,warp"], output, error);

        Assert.Equal(Microseg.Cli.Program.Failure, code);
        Assert.Contains("unknown part 'warp'", error.ToString());
    }

    private string Touch(string relative)
    {
        var path = Path.Combine(_checkout.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }

    public void Dispose() => _checkout.Delete(recursive: true);
}
