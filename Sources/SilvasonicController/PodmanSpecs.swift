public import ControllerCore
public import SilvasonicPodman

extension Tier2Spec {
    /// The create body for Podman: the contract's spec in libpod's terms (memory in bytes,
    /// the CPU limit as a quota of 100,000 µs periods, `host:container` devices as paths).
    public var podmanSpec: ContainerSpec {
        ContainerSpec(
            name: name, image: image, labels: labels, environment: environment,
            mounts: mounts.map { .init(source: $0.source, destination: $0.target, options: $0.readOnly ? ["ro"] : ["z"]) },
            devices: devices.map { String($0.split(separator: ":", maxSplits: 1).first ?? Substring($0)) },
            groups: groupAdd, privileged: privileged, networks: [network],
            memoryLimitBytes: MemorySize.bytes(memoryLimit),
            cpuQuotaMicroseconds: Int((cpuLimit * 100_000).rounded()),
            oomScoreAdjust: oomScoreAdjust,
            restartPolicy: restartPolicyName == "on-failure" ? .onFailure(maxRetries: restartMaxRetries)
                : restartPolicyName == "always" ? .always : .no)
    }
}
