/// Up-front checks of specs and options, each failure with its own code and message.
enum Validation {
    static func check(_ options: SupervisorOptions, path: String) throws(SupervisorError) {
        let intensity = options.intensity
        guard intensity.maxRestarts >= 0, intensity.period > .zero else {
            throw SupervisorError(code: .invalidIntensity, supervisor: path,
                                  message: "restart intensity needs maxRestarts >= 0 and a positive period "
                                      + "(got \(intensity.maxRestarts) within \(intensity.period))")
        }
        if options.intensityPolicy != .escalate, options.backoff == nil {
            throw SupervisorError(code: .invalidBackoff, supervisor: path,
                                  message: "never giving up past the intensity (\(options.intensityPolicy.rawValue)) needs a backoff; "
                                      + "without one a crash-looping child would restart in a hot loop")
        }
        if let backoff = options.backoff {
            guard backoff.initial >= .zero, backoff.maximum >= backoff.initial, backoff.multiplier >= 1,
                  backoff.multiplier.isFinite, (0...1).contains(backoff.jitter), backoff.resetAfter >= .zero else {
                throw SupervisorError(code: .invalidBackoff, supervisor: path,
                                      message: "backoff needs 0 <= initial <= maximum, multiplier >= 1, "
                                          + "jitter in 0...1 and resetAfter >= 0 (got \(backoff))")
            }
        }
    }

    static func check(_ spec: ChildSpec, options: SupervisorOptions, path: String) throws(SupervisorError) {
        guard !spec.id.isEmpty else {
            throw SupervisorError(code: .emptyChildID, supervisor: path, message: "a child spec needs a non-empty id")
        }
        if spec.significant {
            guard spec.restart != .permanent else {
                throw SupervisorError(code: .permanentSignificantChild, supervisor: path, child: spec.id,
                                      message: "a significant child must be transient or temporary, not permanent")
            }
            guard options.autoShutdown != .never else {
                throw SupervisorError(code: .significantChildWithoutAutoShutdown, supervisor: path, child: spec.id,
                                      message: "a significant child needs autoShutdown .anySignificant or .allSignificant")
            }
        }
        if case .timeout(let limit) = spec.shutdown, limit <= .zero {
            throw SupervisorError(code: .invalidShutdownTimeout, supervisor: path, child: spec.id,
                                  message: "a shutdown timeout must be positive (got \(limit)); use .brutalKill to not wait")
        }
    }

    static func check(_ specs: [ChildSpec], options: SupervisorOptions, path: String) throws(SupervisorError) {
        try check(options, path: path)
        var seen = Set<ChildID>(minimumCapacity: specs.count)
        for spec in specs {
            try check(spec, options: options, path: path)
            guard seen.insert(spec.id).inserted else {
                throw SupervisorError(code: .duplicateChildID, supervisor: path, child: spec.id,
                                      message: "two children have the id \"\(spec.id)\"")
            }
        }
    }
}
