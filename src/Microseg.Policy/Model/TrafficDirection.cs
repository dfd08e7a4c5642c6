namespace Microseg.Policy.Model;

/// <summary>Seen from the local endpoint: ingress is a peer connecting in, egress the endpoint connecting out.</summary>
public enum TrafficDirection
{
    Ingress,
    Egress,
}
