using System.Net;
using System.Text.Json;
using Microseg.Datapath.Abi;

namespace Microseg.Agent.Events;

/// <summary>
/// Appends flow events to a file as JSON lines: one object per event, with the rule's name
/// when the live policy knows it. Used from the event thread only.
/// </summary>
public sealed class FlowLogWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;
    private readonly Func<uint, string?> _ruleName;
    private readonly Func<uint, string?> _interfaceName;

    public FlowLogWriter(string path, Func<uint, string?> ruleName, Func<uint, string?> interfaceName)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
            Directory.CreateDirectory(directory);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 64 * 1024);
        _json = new Utf8JsonWriter(_file);
        _ruleName = ruleName;
        _interfaceName = interfaceName;
    }

    public void Write(in FlowEvent e)
    {
        _json.Reset(_file);
        _json.WriteStartObject();
        _json.WriteString("time", DateTimeOffset.UtcNow);
        _json.WriteString("kind", e.Kind switch
        {
            FlowEventKind.NewFlow => "new_flow",
            FlowEventKind.Deny => "deny",
            FlowEventKind.WouldDeny => "would_deny",
            FlowEventKind.FlowEnd => "flow_end",
            _ => "unknown",
        });
        _json.WriteString("direction", e.Direction == Direction.Ingress ? "ingress" : "egress");
        _json.WriteNumber("protocol", e.Protocol);
        _json.WriteString("local", e.LocalAddr.ToString());
        _json.WriteNumber("localPort", (ushort)IPAddress.NetworkToHostOrder((short)e.LocalPort));
        _json.WriteString("remote", e.RemoteAddr.ToString());
        _json.WriteNumber("remotePort", (ushort)IPAddress.NetworkToHostOrder((short)e.RemotePort));
        _json.WriteString("verdict", Status.AgentStatus.SnakeCase(e.Verdict.ToString()));
        _json.WriteString("reason", Status.AgentStatus.SnakeCase(e.Reason.ToString()));
        _json.WriteNumber("rule", e.RuleId);
        if (_ruleName(e.RuleId) is { } rule)
            _json.WriteString("ruleName", rule);
        if (_interfaceName((uint)e.Ifindex) is { } nic)
            _json.WriteString("interface", nic);
        _json.WriteNumber("localIdentity", e.LocalIdentity);
        _json.WriteNumber("remoteIdentity", e.RemoteIdentity);
        _json.WriteNumber("generation", e.PolicyGeneration);
        _json.WriteNumber("packets", e.Packets);
        _json.WriteNumber("bytes", e.Bytes);
        if (e.Suppressed > 0)
            _json.WriteNumber("suppressed", e.Suppressed);
        _json.WriteEndObject();
        _json.Flush();
        _file.WriteByte((byte)'\n');
    }

    public void Flush() => _file.Flush();

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}
