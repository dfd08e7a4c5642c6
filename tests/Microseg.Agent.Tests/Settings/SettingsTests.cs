using Microseg.Agent.Settings;
using Microseg.Bpf;

namespace Microseg.Agent.Tests.Settings;

/// <summary>The settings file, the command line on top of it, and one-sentence errors.</summary>
public sealed class SettingsTests
{
    private const string File = "/etc/microseg/microsegd.yaml";

    private static AgentSettings Parse(string? fileText, params string[] args) =>
        CommandLine.Parse(args, path => path == File || path == "/tmp/other.yaml" ? fileText : null).Settings;

    private static string Error(string? fileText, params string[] args) =>
        Assert.Throws<SettingsException>(() => Parse(fileText, args)).Message;

    [Fact]
    public void WithoutAFileTheDefaultsAreThoseOfAnInstalledDaemon()
    {
        var settings = Parse(null);
        Assert.Equal([new InterfaceSpec("*", null)], settings.Interfaces);
        Assert.Equal("/etc/microseg/policy.yaml", settings.PolicyPath);
        Assert.Equal("127.0.0.1:9469", settings.MetricsAddress);
        Assert.Null(settings.FlowLogPath);
        Assert.Equal(100L << 20, settings.FlowLogMaxBytes);
        Assert.Equal(5, settings.FlowLogKeep);
        Assert.Equal("/var/lib/microseg", settings.StateDirectory);
        Assert.Equal("/sys/fs/bpf/microseg", settings.PinDirectory);
        Assert.Equal("/run/microseg/microseg.sock", settings.ControlSocketPath);
        Assert.Equal("/usr/lib/microseg/bpf", settings.BpfObjectDirectory);
        Assert.Equal(XdpAttachMode.NativeWithGenericFallback, settings.XdpMode);
        Assert.False(settings.Uninstall);
    }

    [Fact]
    public void EverySettingIsReadFromTheFile()
    {
        var settings = Parse("""
            interfaces: [eth0, "veth-b@lab"]
            policy: /srv/policy.yaml
            metricsAddress: "[::1]:9000"
            flowLog: /var/log/microseg/flows.jsonl
            flowLogMaxSize: 10MiB
            flowLogKeep: 3
            stateDirectory: /srv/state
            pinDirectory: /sys/fs/bpf/other
            controlSocket: none
            bpfObjectDirectory: /opt/bpf
            xdpMode: generic
            interfacePollInterval: 2s
            reloadDebounce: 250ms
            """);
        Assert.Equal([new InterfaceSpec("eth0", null), new InterfaceSpec("veth-b", "lab")], settings.Interfaces);
        Assert.Equal((10L << 20, 3), (settings.FlowLogMaxBytes, settings.FlowLogKeep));
        Assert.Equal("/srv/policy.yaml", settings.PolicyPath);
        Assert.Equal("[::1]:9000", settings.MetricsAddress);
        Assert.Equal("/var/log/microseg/flows.jsonl", settings.FlowLogPath);
        Assert.Equal("/srv/state", settings.StateDirectory);
        Assert.Equal("/sys/fs/bpf/other", settings.PinDirectory);
        Assert.Null(settings.ControlSocketPath);
        Assert.Equal("/opt/bpf", settings.BpfObjectDirectory);
        Assert.Equal(XdpAttachMode.Generic, settings.XdpMode);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.InterfacePollInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.ReloadDebounce);
    }

    [Fact]
    public void TheCommandLineOverridesTheFile()
    {
        var settings = Parse("interfaces: [eth0]\npolicy: /srv/policy.yaml\nmetricsAddress: 127.0.0.1:1\n",
            "--interface", "veth-b@lab", "--interface=eth1,eth2", "--policy", "/tmp/p.yaml", "--metrics-address", "none",
            "--bpf-dir", "artifacts/bpf", "--xdp-mode", "native", "--reload-debounce", "1m", "--uninstall");
        Assert.Equal([new InterfaceSpec("veth-b", "lab"), new InterfaceSpec("eth1", null), new InterfaceSpec("eth2", null)], settings.Interfaces);
        Assert.Equal("/tmp/p.yaml", settings.PolicyPath);
        Assert.Null(settings.MetricsAddress);
        Assert.Equal("artifacts/bpf", settings.BpfObjectDirectory);
        Assert.Equal(XdpAttachMode.Native, settings.XdpMode);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.ReloadDebounce);
        Assert.True(settings.Uninstall);
    }

    [Fact]
    public void ConfigNamesAnotherFileWhichMustExist()
    {
        Assert.Equal("/srv/x.yaml", Parse("policy: /srv/x.yaml", "--config", "/tmp/other.yaml").PolicyPath);
        Assert.Equal("the settings file /tmp/missing.yaml does not exist", Error(null, "--config", "/tmp/missing.yaml"));
    }

    [Theory]
    [InlineData("colour: blue\n", "/etc/microseg/microsegd.yaml:1:1: unknown setting 'colour'; the settings are interfaces, policy")]
    [InlineData("policy: [a, b]\n", "/etc/microseg/microsegd.yaml:1:9: 'policy' must be a single value")]
    [InlineData("xdpMode: fast\n", "/etc/microseg/microsegd.yaml:1:10: 'xdpMode' must be auto, native or generic")]
    [InlineData("reloadDebounce: soon\n", "/etc/microseg/microsegd.yaml:1:17: 'reloadDebounce' must be a positive duration")]
    [InlineData("interfaces: []\n", "/etc/microseg/microsegd.yaml:1:13: 'interfaces' is empty")]
    [InlineData("interfaces: [\"eth0@\"]\n", "/etc/microseg/microsegd.yaml:1:14: 'eth0@' names no network namespace")]
    [InlineData("interfaces: [averyveryverylongname]\n", "/etc/microseg/microsegd.yaml:1:14: 'averyveryverylongname' is not an interface name")]
    [InlineData("- a\n- b\n", "/etc/microseg/microsegd.yaml:1:1: the settings file must be a mapping")]
    [InlineData("policy: [\n", "/etc/microseg/microsegd.yaml:2:1:")]
    [InlineData("{a: b}: 1\n", "/etc/microseg/microsegd.yaml:1:1: a setting's name must be a single word, not a mapping")]
    [InlineData("[policy]: /p.yaml\n", "/etc/microseg/microsegd.yaml:1:1: a setting's name must be a single word, not a list")]
    [InlineData("? - a\n: 1\n", "/etc/microseg/microsegd.yaml:1:3: a setting's name must be a single word, not a list")]
    [InlineData("interfaces: [eth0\n", "/etc/microseg/microsegd.yaml:2:1: YAML syntax error: ")]
    [InlineData("interfaces: [eth0", "/etc/microseg/microsegd.yaml:1:18: YAML syntax error: ")]
    [InlineData("policy: /p.yaml\npolicy: /q.yaml\n", "/etc/microseg/microsegd.yaml:2:1: 'policy' is set twice")]
    [InlineData("policy: &p /p.yaml\nflowLog: *q\n", "/etc/microseg/microsegd.yaml:2:10: YAML syntax error: the alias *q names no anchor")]
    [InlineData("interfaces: [{a: b}]\n", "/etc/microseg/microsegd.yaml:1:14: 'interfaces' must be a single value")]
    [InlineData("--- a\n--- b\n", "/etc/microseg/microsegd.yaml:1:5: the settings file must be a mapping")]
    public void FileMistakesAreOneSentenceWithTheirPosition(string text, string expectedStart)
    {
        var message = Error(text);
        Assert.StartsWith(expectedStart, message);
        Assert.DoesNotContain('\n', message);
    }

    [Theory]
    [InlineData("[", 1, 101)]
    [InlineData("{a: ", 1, 401)]
    public void NestingPastTheLimitIsOneSentenceWithItsPosition(string opener, int line, int column)
    {
        // 10,000 levels, 20-40 KB: what overflowed the stack of a recursive parser.
        var message = Error(string.Concat(Enumerable.Repeat(opener, 10_000)));
        Assert.Equal($"{File}:{line}:{column}: lists and mappings nested more than 100 deep", message);
    }

    [Fact]
    public void ATabIsNamedAsTheProblem()
    {
        var message = Error("policy: /p.yaml\n\tflowLog: -\n");
        Assert.StartsWith($"{File}:2:1: YAML syntax error: ", message);
        Assert.EndsWith("(YAML indents with spaces: replace the tab with spaces)", message);
    }

    [Fact]
    public void ALongNameIsQuotedShort()
    {
        var message = Error(new string('x', 1000) + ": 1\n");
        Assert.StartsWith($"{File}:1:1: unknown setting 'xxxxxxxx", message);
        Assert.DoesNotContain(new string('x', 100), message);
    }

    [Theory]
    [InlineData(new[] { "--policy" }, "--policy needs a value (see microsegd --help)")]
    [InlineData(new[] { "eth0" }, "unexpected argument 'eth0' (microsegd takes options only; see --help)")]
    [InlineData(new[] { "--uninstall=yes" }, "--uninstall takes no value")]
    [InlineData(new[] { "--xdp-mode", "fast" }, "--xdp-mode takes auto, native or generic, not 'fast'")]
    [InlineData(new[] { "--interface-poll", "-1s" }, "--interface-poll takes a positive duration such as 500ms, 5s or 1m, not '-1s'")]
    [InlineData(new[] { "--interface", "a/b" }, "--interface 'a/b' is not an interface name (1 to 15 characters, no '/' or spaces; '*' for all)")]
    public void CommandLineMistakesAreOneSentence(string[] args, string expected) =>
        Assert.Equal(expected, Error(null, args));

    [Theory]
    [InlineData("--colour", new[] { "--colour", "blue" })]
    [InlineData("--frobnicate", new[] { "--frobnicate" })]
    [InlineData("--frobnicate", new[] { "--policy", "/p.yaml", "--frobnicate" })]
    [InlineData("--frobnicate", new[] { "--frobnicate=1" })]
    [InlineData("--frobnicate", new[] { "--policy", "/p.yaml", "--frobnicate", "--uninstall" })]
    public void AnUnknownOptionIsNamedWithTheOptionsThereAre(string unknown, string[] args)
    {
        var message = Error(null, args);
        Assert.StartsWith($"unknown option {unknown}; the options are ", message);
        foreach (var option in CommandLine.Usage.Split([' ', '\n', ','], StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith("--")))
            Assert.Contains(option, message);
        Assert.EndsWith("(see microsegd --help)", message);
    }

    [Fact]
    public void HelpAndVersionNeedNoValidSettings()
    {
        Assert.True(CommandLine.Parse(["--help"], _ => "not: [valid").Help);
        Assert.True(CommandLine.Parse(["--version"], _ => null).Version);
    }

    [Theory]
    [InlineData("127.0.0.1:9469", "127.0.0.1:9469")]
    [InlineData("[::1]:9469", "[::1]:9469")]
    [InlineData("localhost:80", "127.0.0.1:80")]
    [InlineData("127.0.0.1:0", "127.0.0.1:0")]
    public void MetricsAddressesAreIpAndPort(string text, string expected) =>
        Assert.Equal(expected, AgentMain.MetricsEndpoint(text)!.ToString());

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("example.com:80")]
    [InlineData("127.0.0.1:99999")]
    public void MetricsAddressesWithoutAnIpAndPortAreRefused(string text) =>
        Assert.StartsWith($"the metrics address '{text}' is not HOST:PORT", Assert.Throws<SettingsException>(() => AgentMain.MetricsEndpoint(text)).Message);

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("512KiB", 512L << 10)]
    [InlineData("512K", 512L << 10)]
    [InlineData("100MiB", 100L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("none", 0L)]
    [InlineData("0", 0L)]
    public void TheFlowLogSizeIsBytesWithABinarySuffix(string text, long bytes)
    {
        Assert.Equal(bytes, Parse(null, "--flow-log-max-size", text).FlowLogMaxBytes);
        Assert.Equal(bytes, Parse($"flowLogMaxSize: {text}").FlowLogMaxBytes);
    }

    [Fact]
    public void FlowLogRotationMistakesAreOneSentence()
    {
        Assert.Equal("--flow-log-max-size takes a size such as 100MiB, 512KiB or 1048576 (bytes), or none, not '10MB'",
            Error(null, "--flow-log-max-size", "10MB"));
        Assert.Equal("--flow-log-keep takes a whole number of files from 0 to 1000, not '-1'", Error(null, "--flow-log-keep=-1"));
        Assert.Equal($"{File}:1:14: 'flowLogKeep' must be a whole number of files from 0 to 1000", Error("flowLogKeep: many"));
        Assert.Equal(7, Parse("flowLogKeep: 3", "--flow-log-keep", "7").FlowLogKeep);
    }
}
