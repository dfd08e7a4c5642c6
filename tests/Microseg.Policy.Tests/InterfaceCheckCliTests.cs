namespace Microseg.Policy.Tests;

/// <summary>
/// <c>microsegctl policy check FILE --interface NAME</c> reads this machine's interface and warns
/// about each of its addresses no endpoint lists; lo (127.0.0.1 and ::1) is on every machine.
/// </summary>
public sealed class InterfaceCheckCliTests
{
    private const string Policy = """
        version: 1
        identities:
          - {name: local}
        endpoints:
          - identity: local
            mode: enforce
            addresses: [127.0.0.1]
        """;

    [Fact]
    public void An_unlisted_address_of_a_named_interface_is_a_warning_naming_both()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "p.yaml");
        File.WriteAllText(path, Policy);

        var (code, output, error) = Run("policy", "check", path, "--interface", "lo");

        Assert.True(code == 0, error);
        Assert.Contains($"{path}:5:5: warning: lo: address ::1 is listed by no endpoint; it is judged as endpoint 'local', which owns lo", output);
        Assert.DoesNotContain("address 127.0.0.1", output);
        Assert.Contains($"{path}: valid (0 errors, ", output);
    }

    [Fact]
    public void Without_the_option_nothing_is_read_and_an_unknown_interface_is_one_sentence()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "p.yaml");
        File.WriteAllText(path, Policy);

        Assert.DoesNotContain("is listed by no endpoint", Run("policy", "check", path).Out);
        var unknown = Run("policy", "check", path, "--interface", "no-such-if0");
        Assert.Equal((2, "microsegctl: no interface no-such-if0 on this machine\n"), (unknown.Code, unknown.Err));
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Microseg.Cli.Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
