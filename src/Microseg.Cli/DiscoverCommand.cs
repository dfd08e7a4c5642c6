using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using Microseg.Flows.Discovery;

namespace Microseg.Cli;

/// <summary><c>discover</c>: the application dependency map from recorded flows.</summary>
internal static class DiscoverCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var graph = new Option<string?>("--graph") { Description = "A saved discovery graph (the daemon's, or one written with --format json)." };
        Option<string> socket = Daemon.SocketOption.Create();
        Option<string?> flows = FlowInputs.Flows(required: false);
        var worldByCidr = new Option<bool>("--world-by-cidr") { Description = "Split world into /24 (IPv4) and /64 (IPv6) groups (not with --graph; from the daemon, its recent flows are grouped)." };
        Option<string> format = FlowInputs.Format("table", "json", "dot", "mermaid");
        var svg = new Option<string?>("--svg") { Description = "Also render the map to this SVG file with Graphviz (dot)." };
        var command = new Command(
            "discover",
            "Show who talks to whom: identities and the services between them, with flow counts, first and last seen and the verdicts; " +
            "from the running microsegd unless --graph or --flows is given. " +
            "Exit 0, or 2 when the input cannot be read or the SVG cannot be rendered.")
        {
            graph, flows, socket, worldByCidr, format, svg,
        };
        command.SetAction(parsed =>
        {
            DiscoveryGraph? map = FlowInputs.Graph(parsed.GetValue(graph), parsed.GetValue(flows), parsed.GetValue(worldByCidr), error,
                parsed.GetRequiredValue(socket));
            if (map is null)
            {
                return Program.Failure;
            }

            output.Write(parsed.GetValue(format) switch
            {
                "json" => DiscoveryExport.Json(map) + "\n",
                "dot" => DiscoveryExport.Dot(map),
                "mermaid" => DiscoveryExport.Mermaid(map),
                _ => DiscoveryExport.Table(map),
            });
            string? svgPath = parsed.GetValue(svg);
            return svgPath is null || RenderSvg(DiscoveryExport.Dot(map), svgPath, error) ? Program.Success : Program.Failure;
        });
        return command;
    }

    private static bool RenderSvg(string dot, string path, TextWriter error)
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo("dot", ["-Tsvg", "-o", path])
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
            })!;
        }
        catch (Win32Exception)
        {
            error.WriteLine("microsegctl: --svg needs Graphviz's dot, which is not on PATH (install the graphviz package).");
            return false;
        }

        using (process)
        {
            process.StandardInput.Write(dot);
            process.StandardInput.Close();
            string problem = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                error.WriteLine($"microsegctl: Graphviz could not write {path}: {problem.Split('\n')[0].Trim()}");
                return false;
            }
        }

        return true;
    }
}
