using System.Globalization;
using System.Net;
using System.Text.Json;
using Microseg.Datapath.Abi;

namespace Microseg.Flows.Records;

/// <summary>
/// One <see cref="FlowRecord"/> as one JSON object (a line of a flow log, see docs/flows.md).
/// Written field by field with <see cref="Utf8JsonWriter"/>: no reflection, so the daemon can log
/// every event. Enumerations are written as the words of <see cref="FlowText"/>.
/// </summary>
public static class FlowRecordJson
{
    /// <summary>Writes <paramref name="record"/> as one object.</summary>
    public static void Write(Utf8JsonWriter writer, in FlowRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("time", record.Time.UtcDateTime);
        writer.WriteString("kind", FlowText.Kind(record.Kind));
        writer.WriteString("direction", record.Direction.Name());
        writer.WriteString("protocol", FlowText.Protocol(record.Protocol));
        writer.WriteString("localAddress", record.LocalAddress.ToString());
        writer.WriteNumber("localPort", record.LocalPort);
        writer.WriteString("remoteAddress", record.RemoteAddress.ToString());
        writer.WriteNumber("remotePort", record.RemotePort);
        writer.WriteNumber("policyPort", record.PolicyPort);
        writer.WriteString("localIdentity", record.LocalIdentity);
        writer.WriteNumber("localIdentityId", record.LocalIdentityId);
        writer.WriteString("remoteIdentity", record.RemoteIdentity);
        writer.WriteNumber("remoteIdentityId", record.RemoteIdentityId);
        if (record.RuleName is null)
        {
            writer.WriteNull("rule");
        }
        else
        {
            writer.WriteString("rule", record.RuleName);
        }

        writer.WriteNumber("ruleId", record.RuleId);
        writer.WriteString("verdict", FlowText.Verdict(record.Verdict));
        writer.WriteString("reason", FlowText.Reason(record.Reason));
        writer.WriteNumber("tcpFlags", record.TcpFlags);
        writer.WriteNumber("packets", record.Packets);
        writer.WriteNumber("bytes", record.Bytes);
        writer.WriteNumber("suppressed", record.Suppressed);
        writer.WriteNumber("policyGeneration", record.PolicyGeneration);
        writer.WriteNumber("ifindex", record.Ifindex);
        if (record.LocalUnit is null)
        {
            writer.WriteNull("localUnit");
        }
        else
        {
            writer.WriteString("localUnit", record.LocalUnit);
        }

        writer.WriteEndObject();
    }

    /// <summary>One record as a single line of JSON.</summary>
    public static string ToLine(in FlowRecord record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, record);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Reads one object. Required: time, kind, direction, protocol, localAddress, remoteAddress,
    /// localIdentity, remoteIdentity, verdict; the rest default to 0 (reason to policy_rule when a
    /// rule is named, else policy_default; packets to 1). Throws <see cref="FormatException"/> saying which field is wrong.
    /// </summary>
    public static FlowRecord Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement o = document.RootElement;
        if (o.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("expected a JSON object");
        }

        string? rule = o.TryGetProperty("rule", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        string reasonText = Optional(o, "reason") ?? (rule is null ? "policy_default" : "policy_rule");
        return new FlowRecord
        {
            Time = o.TryGetProperty("time", out JsonElement t) && t.TryGetDateTimeOffset(out DateTimeOffset time) ? time : throw Bad("time", "an ISO 8601 time"),
            Kind = FlowText.TryParseKind(Required(o, "kind"), out FlowEventKind kind) ? kind : throw Bad("kind", "new_flow, deny, would_deny, flow_end or deny_summary"),
            Direction = FlowText.TryParseDirection(Required(o, "direction"), out var direction) ? direction : throw Bad("direction", "ingress or egress"),
            Protocol = FlowText.TryParseProtocol(Required(o, "protocol"), out byte protocol) || IsOverflowSummary(o) ? protocol : throw Bad("protocol", "tcp, udp, icmp, icmpv6 or a protocol number"),
            LocalAddress = Address(o, "localAddress"),
            RemoteAddress = Address(o, "remoteAddress"),
            LocalPort = (ushort)Number(o, "localPort", ushort.MaxValue),
            RemotePort = (ushort)Number(o, "remotePort", ushort.MaxValue),
            PolicyPort = (ushort)Number(o, "policyPort", ushort.MaxValue),
            LocalIdentity = Required(o, "localIdentity"),
            LocalIdentityId = (uint)Number(o, "localIdentityId", uint.MaxValue),
            RemoteIdentity = Required(o, "remoteIdentity"),
            RemoteIdentityId = (uint)Number(o, "remoteIdentityId", uint.MaxValue),
            RuleName = rule,
            RuleId = (uint)Number(o, "ruleId", uint.MaxValue),
            Verdict = FlowText.TryParseVerdict(Required(o, "verdict"), out Verdict verdict) ? verdict : throw Bad("verdict", "allow, deny, would_deny or unenforced"),
            Reason = FlowText.TryParseReason(reasonText, out VerdictReason reason) ? reason : throw Bad("reason", "a reason such as policy_rule or policy_default"),
            TcpFlags = (byte)Number(o, "tcpFlags", byte.MaxValue),
            Packets = o.TryGetProperty("packets", out _) ? Number(o, "packets", ulong.MaxValue) : 1,
            Bytes = Number(o, "bytes", ulong.MaxValue),
            Suppressed = (uint)Number(o, "suppressed", uint.MaxValue),
            PolicyGeneration = (uint)Number(o, "policyGeneration", uint.MaxValue),
            Ifindex = (uint)Number(o, "ifindex", uint.MaxValue),
            LocalUnit = Optional(o, "localUnit") is { Length: > 0 } unit ? LocalUnitName.Of(unit) : null,
        };
    }

    // The deny summary of the kernel's overflow counter kept no key: its protocol is written as 0.
    private static bool IsOverflowSummary(JsonElement o) =>
        Optional(o, "kind") == "deny_summary" && Optional(o, "protocol") == "0";

    private static string? Optional(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static string Required(JsonElement o, string name) =>
        Optional(o, name) is { Length: > 0 } text ? text : throw new FormatException($"'{name}' is missing or not a string");

    private static IpAddress16 Address(JsonElement o, string name) =>
        IPAddress.TryParse(Required(o, name), out IPAddress? address) ? IpAddress16.From(address) : throw Bad(name, "an IPv4 or IPv6 address");

    private static ulong Number(JsonElement o, string name, ulong max)
    {
        if (!o.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        return e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out ulong value) && value <= max
            ? value
            : throw Bad(name, $"a whole number from 0 to {max.ToString(CultureInfo.InvariantCulture)}");
    }

    private static FormatException Bad(string name, string expected) => new($"'{name}' must be {expected}");
}
