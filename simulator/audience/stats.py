"""Statistics of a crowd: segment table, degrees, homophily, hubs (reporters, separate from the build)."""

from __future__ import annotations

import numpy as np

from simulator.audience.crowd import Audience


def describe(audience: Audience, top: int = 8) -> dict:
    """Return the crowd's statistics as plain data (JSON-ready)."""
    g = audience.graph
    followers = g.followers_count()
    following = g.following_count()
    src_seg = np.repeat(audience.segment, np.diff(g.indptr))
    dst_seg = audience.segment[g.indices]
    segs = len(audience.segment_ids)
    mixing = np.zeros((segs, segs), dtype=np.int64)  # mixing[b, a]: follows from b into a
    np.add.at(mixing, (dst_seg, src_seg), 1) if g.edges < 5_000_000 else _bincount_mix(mixing, dst_seg, src_seg, segs)
    rows = []
    for s, sid in enumerate(audience.segment_ids):
        lo, hi = int(audience.seg_start[s]), int(audience.seg_start[s + 1])
        out_total = mixing[s].sum()
        rows.append(
            {
                "segment": sid,
                "label": audience.segment_labels[s],
                "size": hi - lo,
                "share": (hi - lo) / audience.size,
                "mean_stance": float(audience.stance[lo:hi].mean()) if hi > lo else 0.0,
                "mean_followers": float(followers[lo:hi].mean()) if hi > lo else 0.0,
                "mean_following": float(following[lo:hi].mean()) if hi > lo else 0.0,
                "follows_inside": float(mixing[s, s] / out_total) if out_total else 0.0,
                "follows_to": {
                    audience.segment_ids[a]: float(mixing[s, a] / out_total) if out_total else 0.0 for a in range(segs)
                },
            }
        )
    order = np.argsort(-followers, kind="stable")[:top]
    hubs_by_node = {v: k for k, v in audience.hubs.items()}
    hubs = []
    for node in order.tolist():
        ident = audience.identity(node)
        hubs.append(
            {
                "index": node,
                "handle": ident.handle,
                "name": ident.name,
                "segment": audience.segment_of(node),
                "followers": int(followers[node]),
                "declared_hub": hubs_by_node.get(node),
            }
        )
    inside = float(np.trace(mixing) / mixing.sum()) if mixing.sum() else 0.0
    return {
        "size": audience.size,
        "seed": audience.seed,
        "method": g.method,
        "edges": g.edges,
        "brand_followers": int(len(g.brand_followers)),
        "degrees": {
            "followers_mean": float(followers.mean()),
            "followers_median": float(np.median(followers)),
            "followers_p99": float(np.percentile(followers, 99)),
            "followers_max": int(followers.max()),
            "following_mean": float(following.mean()),
            "following_median": float(np.median(following)),
            "following_max": int(following.max()),
        },
        "homophily": inside,
        "segments": rows,
        "hubs": hubs,
        "build_seconds": audience.build_seconds,
    }


def _bincount_mix(mixing: np.ndarray, dst_seg: np.ndarray, src_seg: np.ndarray, segs: int) -> None:
    flat = np.bincount(dst_seg.astype(np.int64) * segs + src_seg, minlength=segs * segs)
    mixing[:] = flat.reshape(segs, segs)
