using BenchmarkDotNet.Running;

namespace Microseg.Bench.Policy;

/// <summary>
/// <c>policy [--out FILE] [--objects DIR] [--rounds N] [--identities N] [--rules N] [--check]</c>:
/// the pipeline benchmark and its JSON; <c>policy-compile [BenchmarkDotNet options]</c>: the
/// compiler alone under BenchmarkDotNet.
/// </summary>
internal static class PolicyCommand
{
    public static int Run(string[] args, string? defaultObjects)
    {
        if (args[0] == "policy-compile")
        {
            BenchmarkRunner.Run<CompileBenchmarks>(args: args[1..]);
            return 0;
        }

        string? output = null, objects = defaultObjects;
        int rounds = 5, identities = 10_000, rules = 100_000;
        bool check = false;
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--check")
            {
                check = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                return Fail($"{args[i]} needs a value");
            }

            string value = args[++i];
            switch (args[i - 1])
            {
                case "--out": output = value; break;
                case "--objects": objects = value; break;
                case "--rounds": rounds = int.Parse(value); break;
                case "--identities": identities = int.Parse(value); break;
                case "--rules": rules = int.Parse(value); break;
                default: return Fail($"unknown option '{args[i - 1]}'");
            }
        }

        if (objects is null || !File.Exists(Path.Combine(objects, "xdp_ingress.bpf.o")))
        {
            return Fail("compiled eBPF objects not found: run `make bpf` (or pass --objects)");
        }

        PolicyBenchReport report = new PolicyBenchmark(objects, identities, rules, rounds, Console.Out).Run();
        report.WriteTable(Console.Out);
        if (output is not null)
        {
            report.WriteJson(output);
            Console.WriteLine($"wrote {output}");
        }

        return check && !report.AllTargetsMet ? 1 : 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine("usage: Microseg.Bench policy [--out FILE] [--objects DIR] [--rounds N] [--identities N] [--rules N] [--check]");
        Console.Error.WriteLine("       Microseg.Bench policy-compile [BenchmarkDotNet options]");
        return 2;
    }
}
