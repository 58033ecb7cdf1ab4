public import OrganicPluginAPI

/// Rewards miners whose images agree with the other miners' images for the same request.
///
/// Two honest miners given the same parameters produce the same picture up to small
/// hardware-dependent noise; a different seed or prompt gives a different picture. Agreement
/// is measured as the mean absolute difference per channel on an 8-bit scale: at or below
/// ``sameThreshold`` the images count as the same computation (score 1); above
/// ``differentThreshold`` as different (score 0); linear in between.
public enum ImageAgreementReward {
    public static let sameThreshold = 3.0
    public static let differentThreshold = 24.0

    public static func rewards(for answers: [MinerAnswer<ImageResponse>]) -> RewardVerdict {
        let images = answers.map { GeneratedImageCheck.decode($0.response) }
        var index: [String: Int] = [:]
        for (i, answer) in answers.enumerated() { index[answer.response.imageB64] = i }
        return ConsensusReward.rewards(for: answers) { a, b in
            guard let ia = index[a.imageB64], let ib = index[b.imageB64], let x = images[ia], let y = images[ib] else { return 0 }
            return similarity(x, y)
        }
    }

    /// Similarity in [0, 1] from the mean absolute pixel difference.
    public static func similarity(_ a: RGBImage, _ b: RGBImage) -> Double {
        guard a.width == b.width, a.height == b.height, !a.pixels.isEmpty, a.pixels.count == b.pixels.count else { return 0 }
        var total = 0
        for i in a.pixels.indices {
            total += abs(Int(a.pixels[i]) - Int(b.pixels[i]))
        }
        let mad = Double(total) / Double(a.pixels.count)
        if mad <= sameThreshold { return 1 }
        if mad >= differentThreshold { return 0 }
        return (differentThreshold - mad) / (differentThreshold - sameThreshold)
    }
}
