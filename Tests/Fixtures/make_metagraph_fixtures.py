#!/usr/bin/env python3
"""SCALE fixtures for SubtensorMetagraphSource, encoded by the official `scalecodec`.

Encodes a Vec<NeuronInfoLite> (the return value of the runtime API
`NeuronInfoRuntimeApi_get_neurons_lite`, layout as in subtensor) from known values
and prints JSON {"hex": "0x…", "neurons": [...]} so the Swift decoder can be checked
against an independent encoder. Run with the test venv:

    .venv/bin/python Tests/Fixtures/make_metagraph_fixtures.py > /tmp/metagraph.json
"""
import json
import sys

from scalecodec.base import RuntimeConfigurationObject
from scalecodec.type_registry import load_type_registry_preset

TYPES = {
    "types": {
        "OrganicAccount": "[u8; 32]",
        "OrganicAxonInfo": {"type": "struct", "type_mapping": [
            ["block", "u64"], ["version", "u32"], ["ip", "u128"], ["port", "u16"],
            ["ip_type", "u8"], ["protocol", "u8"], ["placeholder1", "u8"], ["placeholder2", "u8"]]},
        "OrganicPrometheusInfo": {"type": "struct", "type_mapping": [
            ["block", "u64"], ["version", "u32"], ["ip", "u128"], ["port", "u16"], ["ip_type", "u8"]]},
        "OrganicNeuronInfoLite": {"type": "struct", "type_mapping": [
            ["hotkey", "OrganicAccount"], ["coldkey", "OrganicAccount"],
            ["uid", "Compact<u16>"], ["netuid", "Compact<u16>"], ["active", "bool"],
            ["axon_info", "OrganicAxonInfo"], ["prometheus_info", "OrganicPrometheusInfo"],
            ["stake", "Vec<(OrganicAccount, Compact<u64>)>"],
            ["rank", "Compact<u16>"], ["emission", "Compact<u64>"], ["incentive", "Compact<u16>"],
            ["consensus", "Compact<u16>"], ["trust", "Compact<u16>"], ["validator_trust", "Compact<u16>"],
            ["dividends", "Compact<u16>"], ["last_update", "Compact<u64>"],
            ["validator_permit", "bool"], ["pruning_score", "Compact<u16>"]]},
    }
}


def key(byte):
    return "0x" + (bytes([byte]) * 32).hex()


def ipv4(a, b, c, d):
    return (a << 24) | (b << 16) | (c << 8) | d


def neuron(uid, hot, cold, ip, port, ip_type, stakes, permit, **extra):
    value = {
        "hotkey": key(hot), "coldkey": key(cold), "uid": uid, "netuid": 19, "active": True,
        "axon_info": {"block": 4_000_000 + uid, "version": 900, "ip": ip, "port": port, "ip_type": ip_type,
                      "protocol": 4, "placeholder1": 0, "placeholder2": 0},
        "prometheus_info": {"block": 0, "version": 0, "ip": 0, "port": 0, "ip_type": 0},
        "stake": [(key(c), amount) for c, amount in stakes],
        "rank": 100, "emission": 123_456_789, "incentive": 65535, "consensus": 1, "trust": 2,
        "validator_trust": 3, "dividends": 4, "last_update": 4_100_000, "validator_permit": permit,
        "pruning_score": 65535,
    }
    value.update(extra)
    return value


def main():
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset("legacy"))
    rc.update_type_registry(TYPES)
    neurons = [
        neuron(0, 0x11, 0xa1, ipv4(10, 0, 0, 7), 8091, 4, [(0xa1, 1_500_000_000_000)], True),
        neuron(1, 0x22, 0xa2, ipv4(192, 168, 1, 20), 9001, 4, [(0xa2, 5), (0xa3, 2**40)], False, active=False),
        neuron(300, 0x33, 0xa3, 0, 0, 0, [], False, emission=0, last_update=2**33),
        neuron(17000, 0x44, 0xa4, 0x20010db8000000000000000000000001, 443, 6,
               [(0xa4, 2**63)], True, rank=16384),
    ]
    obj = rc.create_scale_object("Vec<OrganicNeuronInfoLite>")
    data = obj.encode(neurons)
    empty = rc.create_scale_object("Vec<OrganicNeuronInfoLite>").encode([])
    netuid = rc.create_scale_object("u16").encode(19)
    out = {
        "hex": "0x" + bytes(data.data).hex(),
        "empty_hex": "0x" + bytes(empty.data).hex(),
        "netuid_param": "0x" + bytes(netuid.data).hex(),
        "neurons": [
            {"uid": n["uid"], "hotkey": n["hotkey"], "coldkey": n["coldkey"], "active": n["active"],
             "ip": str(n["axon_info"]["ip"]), "port": n["axon_info"]["port"], "ip_type": n["axon_info"]["ip_type"],
             "stake_rao": str(sum(a for _, a in n["stake"])), "validator_permit": n["validator_permit"],
             "emission": str(n["emission"]), "last_update": str(n["last_update"]), "rank": n["rank"]}
            for n in neurons
        ],
    }
    # Round trip through scalecodec's own decoder as a sanity check of the fixture.
    back = rc.create_scale_object("Vec<OrganicNeuronInfoLite>", data=data)
    back.decode()
    assert len(back.value) == len(neurons)
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
