import ClaveCrypto

extension Draft {
    // MARK: initialize

    /// PoCo's `initialize`: makes task `index` of a deal ACTIVE and sets its deadlines. `claiming` skips the
    /// contribution deadline, for `initializeAndClaim`. Returns the task id.
    mutating func initialize(dealId: Bytes32, index: UInt64, claiming: Bool) throws(Rejection) -> Bytes32 {
        guard let deal = deal(dealId) else {
            throw Rejection(.unknownDeal, "No deal has id \(dealId); check the id the OrdersMatched event gave.")
        }
        guard deal.contains(index: index) else {
            throw Rejection(
                .taskIndexOutOfRange,
                "Task index \(index) is not in deal \(dealId), whose tasks are \(deal.botFirst) to \(deal.botFirst) + \(deal.botSize) − 1; use an index in that range."
            )
        }
        let taskId = ComputeTask.id(dealId: dealId, index: index)
        if let existing = task(taskId) {
            throw Rejection(
                .wrongTaskStatus,
                "Task \(taskId) (deal \(dealId), index \(index)) is already initialized and \(existing.status.rawValue); only an UNSET task can be initialized."
            )
        }
        guard let category = configuration.category(deal.category) else {
            throw Rejection(.unknownCategory, "Deal \(dealId) names category \(deal.category), which does not exist.")
        }
        let contributionDeadline = try deadline(deal.startTime, 7, category.timeref)
        let finalDeadline = try deadline(deal.startTime, 10, category.timeref)
        guard claiming || time < contributionDeadline else {
            throw Rejection(
                .deadlinePassed,
                "Task \(index) of deal \(dealId) can no longer be initialized: its contribution deadline \(contributionDeadline) (deal start + 7 × \(category.timeref) s) has passed (now \(time)); claim it after \(finalDeadline) to refund the requester."
            )
        }
        set(
            task: ComputeTask(
                id: taskId, dealId: dealId, index: index, status: .active, timeref: category.timeref,
                contributionDeadline: contributionDeadline, finalDeadline: finalDeadline))
        emit(.taskInitialized(taskId: taskId, dealId: dealId, index: index, workerpool: deal.workerpool.address))
        return taskId
    }

    /// PoCo's `initializeArray`: ``initialize(dealId:index:claiming:)`` of each pair, in order, all or none (a
    /// rejected transaction changes nothing). A scheduler starts a deal's tasks with one transaction.
    mutating func initializeArray(dealIds: [Bytes32], indices: [UInt64]) throws(Rejection) {
        let limit = TransactionBody.initializeArrayLimit
        guard dealIds.count == indices.count, (1...limit).contains(dealIds.count) else {
            throw Rejection(
                .invalidArgument,
                "initializeArray takes one deal id per index, 1 to \(limit) pairs; it was given \(dealIds.count) deal ids and \(indices.count) indices."
            )
        }
        for (position, (dealId, index)) in zip(dealIds, indices).enumerated() {
            do {
                _ = try initialize(dealId: dealId, index: index, claiming: false)
            } catch {
                throw Rejection(
                    error.code,
                    "Pair \(position) of initializeArray: \(error.message) No task of the transaction was initialized; send the others without it."
                )
            }
        }
    }

    // MARK: contribute

    /// PoCo's `contribute`: the sender commits to a result hash and seal, with the scheduler's authorization and,
    /// for a TEE task, the enclave's signature; it stakes the deal's worker stake.
    mutating func contribute(
        taskId: Bytes32, resultHash: Bytes32, resultSeal: Bytes32, enclaveChallenge: Address, enclaveSign: Signature?,
        authorizationSign: Signature
    ) throws(Rejection) {
        var (task, deal) = try taskAndDeal(taskId)
        try Draft.require(task, .active, for: "contributing")
        try checkContributionOpen(task)
        guard resultHash != .zero, resultSeal != .zero else {
            throw Rejection(
                .invalidResult,
                "A contribution needs a non-zero result hash and result seal (result hash \(resultHash), seal \(resultSeal)); compute them from the result digest."
            )
        }
        try checkWorkerCredentials(
            deal: deal, taskId: taskId, resultHash: resultHash, resultSeal: resultSeal,
            enclaveChallenge: enclaveChallenge, enclaveSign: enclaveSign, authorizationSign: authorizationSign)
        try lock(sender, deal.workerStake, reference: taskId, purpose: "the worker stake of task \(taskId)")
        let contribution = Contribution(
            status: .contributed, resultHash: resultHash, resultSeal: resultSeal, enclaveChallenge: enclaveChallenge,
            weight: ComputeTask.weight(score: account(sender).score), stake: deal.workerStake)
        try add(contribution, to: &task)
        emit(.taskContribute(taskId: taskId, worker: sender, resultHash: resultHash))
        if try Draft.isConsensus(task, deal: deal, resultHash: resultHash) {
            var winners: UInt64 = 0
            for worker in task.contributors {
                if let other = task.contributions[worker], other.status == .contributed, other.resultHash == resultHash
                {
                    winners += 1
                }
            }
            task.status = .revealing
            task.consensusValue = resultHash
            task.revealDeadline = try deadline(time, 2, task.timeref)
            task.revealCounter = 0
            task.winnerCounter = winners
            emit(.taskConsensus(taskId: taskId, consensus: resultHash))
        }
        set(task: task)
    }

    // MARK: reveal

    /// PoCo's `reveal`: a winner shows the digest behind its contribution.
    mutating func reveal(taskId: Bytes32, resultDigest: Bytes32) throws(Rejection) {
        var (task, _) = try taskAndDeal(taskId)
        try Draft.require(task, .revealing, for: "revealing")
        guard time < task.revealDeadline else {
            throw Rejection(
                .deadlinePassed,
                "The reveal deadline of task \(taskId) was \(task.revealDeadline) and it is \(time); it is too late to reveal."
            )
        }
        guard var contribution = task.contributions[sender], contribution.status == .contributed,
            contribution.resultHash == task.consensusValue
        else {
            throw Rejection(
                .notContributor,
                "\(sender) has no unrevealed contribution with the consensus value \(task.consensusValue) in task \(taskId); only the workers who contributed it reveal."
            )
        }
        let expectedHash = ComputeTask.resultHash(taskId: taskId, resultDigest: resultDigest)
        let expectedSeal = ComputeTask.resultSeal(worker: sender, taskId: taskId, resultDigest: resultDigest)
        guard contribution.resultHash == expectedHash, contribution.resultSeal == expectedSeal else {
            throw Rejection(
                .invalidReveal,
                "The digest \(resultDigest) does not match the contribution of \(sender) to task \(taskId): keccak256(taskId ‖ digest) and keccak256(worker ‖ taskId ‖ digest) must be its result hash and seal; reveal the digest that was contributed."
            )
        }
        contribution.status = .proved
        task.contributions[sender] = contribution
        task.revealCounter = try Checked.add(task.revealCounter, 1, "the reveal counter")
        task.resultDigest = resultDigest
        set(task: task)
        emit(.taskReveal(taskId: taskId, worker: sender, resultDigest: resultDigest))
    }

    // MARK: reopen

    /// PoCo's `reopen`: nobody revealed the consensus in time, so its contributions are rejected and the task takes
    /// contributions again.
    mutating func reopen(taskId: Bytes32) throws(Rejection) {
        var (task, deal) = try taskAndDeal(taskId)
        try requireScheduler(deal, to: "reopen task \(taskId)")
        try Draft.require(task, .revealing, for: "reopening")
        guard time < task.finalDeadline else {
            throw Rejection(
                .deadlinePassed,
                "Task \(taskId) passed its final deadline \(task.finalDeadline) (now \(time)); it cannot be reopened, only claimed."
            )
        }
        guard time >= task.revealDeadline else {
            throw Rejection(
                .tooEarly,
                "The winners of task \(taskId) may reveal until \(task.revealDeadline) (now \(time)); reopen from then on if nobody did."
            )
        }
        guard task.revealCounter == 0 else {
            throw Rejection(
                .alreadyRevealed,
                "\(task.revealCounter) winner(s) of task \(taskId) revealed, so it cannot be reopened; finalize it instead."
            )
        }
        let consensus = task.consensusValue
        for worker in task.contributors {
            if var contribution = task.contributions[worker], contribution.resultHash == consensus,
                contribution.status == .contributed
            {
                contribution.status = .rejected
                task.contributions[worker] = contribution
            }
        }
        let group = task.groupWeights[consensus] ?? 0
        task.totalWeight = try Checked.subtract(task.totalWeight, group, "the total weight of task \(taskId)")
        task.groupWeights.removeValue(forKey: consensus)
        task.status = .active
        task.consensusValue = .zero
        task.revealDeadline = 0
        task.winnerCounter = 0
        set(task: task)
        emit(.taskReopen(taskId: taskId))
    }

    // MARK: Shared checks

    /// The task and its deal.
    func taskAndDeal(_ taskId: Bytes32) throws(Rejection) -> (ComputeTask, Deal) {
        guard let task = task(taskId) else {
            throw Rejection(
                .unknownTask,
                "Task \(taskId) is not initialized (UNSET); initialize it first with its deal id and index (or, after its final deadline, claim it with initializeAndClaim)."
            )
        }
        guard let deal = deal(task.dealId) else {
            throw Rejection(.unknownDeal, "Task \(taskId) names deal \(task.dealId), which does not exist.")
        }
        return (task, deal)
    }

    /// Refuses unless `task` has `status`; `action` is a gerund, e.g. "contributing".
    static func require(_ task: ComputeTask, _ status: ComputeTask.Status, for action: String) throws(Rejection) {
        guard task.status == status else {
            throw Rejection(
                .wrongTaskStatus,
                "Task \(task.id) is \(task.status.rawValue), but \(action) needs the task to be \(status.rawValue).")
        }
    }

    func requireScheduler(_ deal: Deal, to action: String) throws(Rejection) {
        guard sender == deal.workerpool.owner else {
            throw Rejection(
                .notScheduler,
                "Only the scheduler of deal \(deal.id), \(deal.workerpool.owner) (owner of workerpool \(deal.workerpool.address) when the deal was made), may \(action), not \(sender)."
            )
        }
    }

    func checkContributionOpen(_ task: ComputeTask) throws(Rejection) {
        guard time < task.contributionDeadline else {
            throw Rejection(
                .deadlinePassed,
                "The contribution deadline of task \(task.id) was \(task.contributionDeadline) and it is \(time); it is too late to contribute."
            )
        }
        guard task.contributions[sender] == nil else {
            throw Rejection(
                .alreadyContributed,
                "\(sender) already contributed to task \(task.id); each worker contributes once.")
        }
    }

    /// Checks the scheduler's authorization of the sender and, when an enclave challenge is given (always for a TEE
    /// deal), the enclave's signature over the result.
    func checkWorkerCredentials(
        deal: Deal, taskId: Bytes32, resultHash: Bytes32, resultSeal: Bytes32, enclaveChallenge: Address,
        enclaveSign: Signature?, authorizationSign: Signature
    ) throws(Rejection) {
        if deal.isTEE && enclaveChallenge == .zero {
            throw Rejection(
                .invalidEnclaveSignature,
                "Deal \(deal.id) runs in a TEE (tag bit 0), so a contribution needs the enclave challenge (the enclave's address) and its signature; run the task in an enclave."
            )
        }
        let message = ComputeTask.authorizationMessage(
            worker: sender, taskId: taskId, enclaveChallenge: enclaveChallenge)
        let authorizer = try? authorizationSign.recoverAddress(digest: Hashing.personalMessage(message))
        guard authorizer == deal.workerpool.owner else {
            let actual = authorizer.map { "signed by \($0)" } ?? "not a valid signature"
            throw Rejection(
                .invalidAuthorization,
                "The authorization of worker \(sender) for task \(taskId) must be signed by the scheduler \(deal.workerpool.owner) over keccak256(worker ‖ taskId ‖ enclaveChallenge \(enclaveChallenge)), but it is \(actual); ask the scheduler for an authorization."
            )
        }
        guard enclaveChallenge != .zero else { return }
        guard let enclaveSign else {
            throw Rejection(
                .invalidEnclaveSignature,
                "The contribution names enclave challenge \(enclaveChallenge) but has no enclave signature; the enclave must sign keccak256(resultHash ‖ resultSeal)."
            )
        }
        let enclaveMessage = ComputeTask.enclaveMessage(resultHash: resultHash, resultSeal: resultSeal)
        let signer = try? enclaveSign.recoverAddress(digest: Hashing.personalMessage(enclaveMessage))
        guard signer == enclaveChallenge else {
            let actual = signer.map { "signed by \($0)" } ?? "not a valid signature"
            throw Rejection(
                .invalidEnclaveSignature,
                "The enclave signature must be by the enclave challenge \(enclaveChallenge) over keccak256(resultHash ‖ resultSeal), but it is \(actual); submit the signature the enclave made over this result."
            )
        }
    }

    /// Adds the sender's contribution and its weight: the group's weight is the product of its members' weights
    /// (PoCo's `delta = max(group, 1) × weight − group`), the total the sum of the groups'.
    func add(_ contribution: Contribution, to task: inout ComputeTask) throws(Rejection) {
        let group = task.groupWeights[contribution.resultHash] ?? 0
        let grown = try Checked.multiply(max(group, 1), contribution.weight, "the weight of a result group")
        task.groupWeights[contribution.resultHash] = grown
        task.totalWeight = try Checked.add(task.totalWeight, grown - group, "the total weight of task \(task.id)")
        task.contributors.append(sender)
        task.contributions[sender] = contribution
    }

    /// Whether the group of `resultHash` reached consensus: group × trust > (total + 1) × (trust − 1).
    ///
    /// The 1 counts the hypothesis that no group is right, so that a single contribution is never enough when
    /// trust > 1 (see docs/protocol.md).
    static func isConsensus(_ task: ComputeTask, deal: Deal, resultHash: Bytes32) throws(Rejection) -> Bool {
        let group = UInt128(task.groupWeights[resultHash] ?? 0)
        let trust = UInt128(deal.trust)
        return group * trust > (UInt128(task.totalWeight) + 1) * (trust - 1)
    }

    /// `start + multiple × timeref`, checked.
    func deadline(_ start: UInt64, _ multiple: UInt64, _ timeref: UInt64) throws(Rejection) -> UInt64 {
        try Checked.add(start, try Checked.multiply(multiple, timeref, "a deadline"), "a deadline")
    }
}
