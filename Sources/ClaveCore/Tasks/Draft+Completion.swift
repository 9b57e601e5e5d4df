import ClaveCrypto

extension Draft {
    // MARK: finalize

    /// PoCo's `finalize`: the scheduler completes a task once every winner revealed, or at least one did and the
    /// reveal deadline passed; everyone is paid.
    mutating func finalize(taskId: Bytes32, results: [UInt8], resultsCallback: [UInt8]) throws(Rejection) {
        var (task, deal) = try taskAndDeal(taskId)
        try requireScheduler(deal, to: "finalize task \(taskId)")
        try Draft.require(task, .revealing, for: "finalizing")
        try checkBeforeFinalDeadline(task)
        guard task.revealCounter == task.winnerCounter || (task.revealCounter > 0 && time >= task.revealDeadline)
        else {
            let wait =
                task.revealCounter == 0
                ? "nobody revealed yet; if nobody does before \(task.revealDeadline), reopen the task"
                : "wait for the others or for the reveal deadline \(task.revealDeadline)"
            throw Rejection(
                .revealsPending,
                "Only \(task.revealCounter) of the \(task.winnerCounter) winners of task \(taskId) revealed (now \(time)); \(wait)."
            )
        }
        try Draft.checkCallback(deal, task: task, resultDigest: task.resultDigest, resultsCallback: resultsCallback)
        task.status = .completed
        task.results = results
        task.resultsCallback = resultsCallback
        set(task: task)
        try payCompletedTask(task, deal: deal)
        emit(.taskFinalize(taskId: taskId, results: results))
    }

    // MARK: contributeAndFinalize

    /// PoCo's `contributeAndFinalize`: on a deal of trust 1, the first worker contributes its digest and completes the
    /// task in one transaction, without a stake.
    mutating func contributeAndFinalize(
        taskId: Bytes32, resultDigest: Bytes32, results: [UInt8], resultsCallback: [UInt8], enclaveChallenge: Address,
        enclaveSign: Signature?, authorizationSign: Signature
    ) throws(Rejection) {
        var (task, deal) = try taskAndDeal(taskId)
        try Draft.require(task, .active, for: "contributeAndFinalize")
        try checkContributionOpen(task)
        guard deal.trust == 1 else {
            throw Rejection(
                .replicationRequired,
                "Deal \(deal.id) asks for trust \(deal.trust), so its tasks are replicated: contribute, reveal and finalize instead."
            )
        }
        guard task.contributors.isEmpty else {
            throw Rejection(
                .replicationRequired,
                "Task \(taskId) already has \(task.contributors.count) contribution(s); contribute, reveal and finalize instead."
            )
        }
        let resultHash = ComputeTask.resultHash(taskId: taskId, resultDigest: resultDigest)
        let resultSeal = ComputeTask.resultSeal(worker: sender, taskId: taskId, resultDigest: resultDigest)
        try Draft.checkCallback(deal, task: task, resultDigest: resultDigest, resultsCallback: resultsCallback)
        try checkWorkerCredentials(
            deal: deal, taskId: taskId, resultHash: resultHash, resultSeal: resultSeal,
            enclaveChallenge: enclaveChallenge, enclaveSign: enclaveSign, authorizationSign: authorizationSign)
        let contribution = Contribution(
            status: .proved, resultHash: resultHash, resultSeal: resultSeal, enclaveChallenge: enclaveChallenge,
            weight: ComputeTask.weight(score: account(sender).score), stake: 0)
        try add(contribution, to: &task)
        task.consensusValue = resultHash
        task.revealDeadline = try deadline(time, 2, task.timeref)
        task.winnerCounter = 1
        task.revealCounter = 1
        task.resultDigest = resultDigest
        task.status = .completed
        task.results = results
        task.resultsCallback = resultsCallback
        set(task: task)
        emit(.taskContribute(taskId: taskId, worker: sender, resultHash: resultHash))
        emit(.taskConsensus(taskId: taskId, consensus: resultHash))
        emit(.taskReveal(taskId: taskId, worker: sender, resultDigest: resultDigest))
        try payCompletedTask(task, deal: deal)
        emit(.taskFinalize(taskId: taskId, results: results))
    }

    // MARK: claim

    /// PoCo's `claim`: after the final deadline, a task that did not complete fails: the sponsor gets its payment
    /// back, the contributors their stakes, and the scheduler's stake goes to the kitty.
    mutating func claim(taskId: Bytes32) throws(Rejection) {
        var (task, deal) = try taskAndDeal(taskId)
        guard task.status == .active || task.status == .revealing else {
            throw Rejection(
                .wrongTaskStatus,
                "Task \(taskId) is \(task.status.rawValue); only an ACTIVE or REVEALING task can be claimed.")
        }
        guard time >= task.finalDeadline else {
            throw Rejection(
                .tooEarly,
                "Task \(taskId) can be finalized until \(task.finalDeadline) (now \(time)); claim it from then on if it is not completed."
            )
        }
        task.status = .failed
        set(task: task)
        try unlock(deal.sponsor, deal.taskPrice, reference: taskId)
        try seize(deal.workerpool.owner, deal.schedulerStake, reference: taskId)
        try fillKitty(deal.schedulerStake, taskId: taskId)
        for worker in task.contributors {
            try unlock(worker, task.contributions[worker]?.stake ?? 0, reference: taskId)
        }
        emit(.taskClaimed(taskId: taskId))
    }

    // MARK: Rewards

    /// PoCo's `successWork` and `distributeRewards` for a task that just completed.
    ///
    /// The sponsor pays the task's price; the app and dataset owners get their prices; the scheduler gets its stake
    /// back. The workerpool price plus the stakes of every contributor that did not prove the consensus makes the
    /// reward: the workers who proved share (100 − scheduler reward ratio) % of it by weight, and the scheduler keeps
    /// the rest, plus a share of the kitty.
    private mutating func payCompletedTask(_ task: ComputeTask, deal: Deal) throws(Rejection) {
        let taskId = task.id
        try seize(deal.sponsor, deal.taskPrice, reference: taskId)
        try reward(deal.app.owner, deal.app.price, reference: taskId)
        if deal.dataset.address != .zero {
            try reward(deal.dataset.owner, deal.dataset.price, reference: taskId)
        }
        try unlock(deal.workerpool.owner, deal.schedulerStake, reference: taskId)

        var totalReward = deal.workerpool.price
        var winnersWeight: UInt64 = 0
        for worker in task.contributors {
            guard let contribution = task.contributions[worker] else { continue }
            if contribution.status == .proved {
                winnersWeight = try Checked.add(winnersWeight, contribution.weight, "the winners' weight")
            } else {
                totalReward = try Checked.add(totalReward, contribution.stake, "the reward of task \(taskId)")
            }
        }
        let workersRatio = try Checked.subtract(100, deal.schedulerRewardRatio, "the workers' reward ratio")
        let workersReward = try Checked.percentage(totalReward, workersRatio, "the workers' reward")
        for worker in task.contributors {
            guard let contribution = task.contributions[worker] else { continue }
            if contribution.status == .proved {
                let share = try Checked.multiplyDivide(
                    workersReward, contribution.weight, winnersWeight, "the reward of \(worker)")
                totalReward = try Checked.subtract(totalReward, share, "the scheduler's reward")
                try unlock(worker, contribution.stake, reference: taskId)
                try reward(worker, share, reference: taskId)
                if deal.trust > 1 {
                    try modifyAccount(worker) { (account) throws(Rejection) in
                        account.score = try Checked.add(account.score, 1, "the score of \(worker)")
                    }
                    emit(.accurateContribution(worker: worker, taskId: taskId))
                }
            } else {
                try seize(worker, contribution.stake, reference: taskId)
                try modifyAccount(worker) { (account) throws(Rejection) in
                    account.score -= account.score / 3
                }
                emit(.faultyContribution(worker: worker, taskId: taskId))
            }
        }
        try reward(deal.workerpool.owner, totalReward, reference: taskId)

        let kitty = kitty
        if kitty > 0 {
            let share = min(
                kitty,
                max(
                    try Checked.percentage(kitty, configuration.kittyRatio, "the kitty's share"),
                    configuration.kittyMinimum))
            try releaseKitty(share, taskId: taskId)
            try reward(deal.workerpool.owner, share, reference: taskId)
        }
    }

    // MARK: Shared checks

    func checkBeforeFinalDeadline(_ task: ComputeTask) throws(Rejection) {
        guard time < task.finalDeadline else {
            throw Rejection(
                .deadlinePassed,
                "Task \(task.id) passed its final deadline \(task.finalDeadline) (now \(time)); it can no longer complete, only be claimed."
            )
        }
    }

    /// PoCo's callback rule: without a callback the callback results are empty, otherwise (and in any case when given)
    /// they hash to the result digest.
    static func checkCallback(_ deal: Deal, task: ComputeTask, resultDigest: Bytes32, resultsCallback: [UInt8])
        throws(Rejection)
    {
        if deal.callback == .zero && resultsCallback.isEmpty { return }
        let hash = Hashing.keccak(resultsCallback)
        guard hash == resultDigest else {
            throw Rejection(
                .invalidCallbackResults,
                "The callback results of task \(task.id) hash to \(hash), but the result digest is \(resultDigest); give exactly the callback data the app produced\(deal.callback == .zero ? ", or none: the deal has no callback" : "")."
            )
        }
    }
}
