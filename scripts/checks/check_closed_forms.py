#!/usr/bin/env python3
"""Independent numpy/scipy cross-checks of the closed forms in docs/theory-closed-forms.md.

Convention: L = 1/(2N) sum ||y - W_L...W_1 x||^2, dW_l/dt = -dL/dW_l. Run: python3 scripts/checks/check_closed_forms.py
Each check prints the largest deviation between scipy's LSODA/DOP853 integration of the full
flow and the formula; none of this code is shared with the Swift implementation.
"""
import numpy as np
from scipy.integrate import solve_ivp

rng = np.random.default_rng(0)


def flow(sizes, s11, s31):
    shapes = [(sizes[l + 1], sizes[l]) for l in range(len(sizes) - 1)]

    def unpack(th):
        ws, o = [], 0
        for r, c in shapes:
            ws.append(th[o:o + r * c].reshape(r, c)); o += r * c
        return ws

    def rhs(_, th):
        ws = unpack(th)
        pre = [np.eye(sizes[0])]
        for w in ws:
            pre.append(w @ pre[-1])
        e = s31 - pre[-1] @ s11
        grads, q = [None] * len(ws), e
        for l in range(len(ws) - 1, -1, -1):
            grads[l] = q @ pre[l].T
            q = ws[l].T @ q
        return np.concatenate([g.ravel() for g in grads])
    return rhs, unpack


def integrate(sizes, s11, s31, ws0, times):
    rhs, unpack = flow(sizes, s11, s31)
    sol = solve_ivp(rhs, (0, times[-1]), np.concatenate([w.ravel() for w in ws0]), method="DOP853",
                    t_eval=times, rtol=1e-12, atol=1e-14)
    return [unpack(sol.y[:, i]) for i in range(len(times))]


def orth(n, k):
    q, r = np.linalg.qr(rng.normal(size=(n, k)))
    return q * np.sign(np.diag(r))


def saxe(s, u0, t):
    return 1.0 / (-np.expm1(-2 * s * t) / s + np.exp(-2 * s * t) / u0)


def check_saxe_and_scaling():
    worst = 0
    for _ in range(5):
        n0, h, n2 = 4, 5, 3
        c = rng.uniform(0.1, 2)
        U, V, R = orth(n2, 3), orth(n0, 3), orth(h, 3)
        s = rng.uniform(0.3, 2, 3); a0 = 1e-3
        s31 = U @ np.diag(s) @ V.T
        w0 = [np.sqrt(a0) * R @ V.T, np.sqrt(a0) * U @ R.T]
        times = np.linspace(0, 20, 11)
        path = integrate([n0, h, n2], c * np.eye(n0), s31, w0, times)
        for t, ws in zip(times, path):
            pred = U @ np.diag(saxe(s / c, a0, c * t)) @ V.T   # Sigma11 = cI: s -> s/c, t -> ct
            worst = max(worst, abs(ws[1] @ ws[0] - pred).max())
    print(f"Saxe two-layer (Sigma11 = cI, rescaled): max |dW| = {worst:.3g}")


def check_deep():
    worst = 0
    for L in (3, 4):
        sizes = [3] + [4] * (L - 1) + [3]
        U, V = orth(3, 3), orth(3, 3)
        Rs = [V] + [orth(4, 3) for _ in range(L - 1)] + [U]
        s = rng.uniform(0.5, 2, 3); a0 = 0.05
        w0 = [a0 ** (1 / L) * Rs[l + 1] @ Rs[l].T for l in range(L)]
        times = np.linspace(0, 15, 16)
        path = integrate(sizes, np.eye(3), U @ np.diag(s) @ V.T, w0, times)
        for k in range(3):
            ode = solve_ivp(lambda _, a: L * a ** (2 - 2 / L) * (s[k] - a), (0, 15), [a0], t_eval=times,
                            method="DOP853", rtol=1e-13, atol=1e-16)
            for i, ws in enumerate(path):
                w = ws[0]
                for m in ws[1:]:
                    w = m @ w
                worst = max(worst, abs(U[:, k] @ w @ V[:, k] - ode.y[0, i]))
    print(f"deep per-mode ODE da/dt = L a^(2-2/L)(s-a): max |da| = {worst:.3g}")


def riccati_step(lam, O, Q, dt):
    """One exact step of the Riccati solution: P(t+dt) = e^(F dt) Q M^-1 Q^T e^(F dt)."""
    E = O @ np.diag(np.exp(lam * dt)) @ O.T
    g = np.where(lam == 0, dt, np.expm1(2 * lam * dt) / (2 * np.where(lam == 0, 1, lam)))
    M = np.eye(Q.shape[1]) + Q.T @ (O @ np.diag(g) @ O.T) @ Q
    return E @ Q @ np.linalg.inv(np.linalg.cholesky(M)).T   # any factor of P will do


def check_riccati():
    worst_direct = worst_p = worst_gauge = 0
    for _ in range(6):
        n0, h, n2 = 4, 6, 3
        s31 = rng.normal(size=(n2, n0))
        k = min(n0, h, n2)
        R0, R1, R2 = orth(n0, k), orth(h, k), orth(n2, k)
        d = np.abs(rng.normal(size=k)) * 0.3
        w21, w32 = R1 @ np.diag(d) @ R0.T, R2 @ np.diag(d) @ R1.T     # zero-balanced
        times = np.linspace(0, 6, 7)
        path = integrate([n0, h, n2], np.eye(n0), s31, [w21, w32], times)
        F = np.block([[np.zeros((n0, n0)), s31.T], [s31, np.zeros((n2, n2))]])
        lam, O = np.linalg.eigh(F)
        Q0 = np.vstack([w21.T, w32])
        Qk, tk = Q0, 0.0
        for t, (a, b) in zip(times, path):
            Qtrue = np.vstack([a.T, b])
            E = O @ np.diag(np.exp(lam * t)) @ O.T          # in one go from t = 0
            g = np.where(lam == 0, t, np.expm1(2 * lam * t) / (2 * np.where(lam == 0, 1, lam)))
            M = np.eye(h) + Q0.T @ (O @ np.diag(g) @ O.T) @ Q0
            direct = E @ Q0 @ np.linalg.solve(M, Q0.T @ E)
            worst_direct = max(worst_direct, abs(direct - Qtrue @ Qtrue.T).max())
            m = max(1, int(np.ceil((t - tk) * lam.max() / 0.5)))
            for _ in range(m):
                Qk = riccati_step(lam, O, Qk, (t - tk) / m)
            tk = t
            worst_p = max(worst_p, abs(Qk @ Qk.T - Qtrue @ Qtrue.T).max())
            worst_gauge = max(worst_gauge, abs(Qk - Qtrue).max())
    print(f"Riccati P = QQ^T, in one step from t = 0: max |dP| = {worst_direct:.3g} (M's condition grows like e^(2 s t))")
    print(f"Riccati P = QQ^T, composed over steps with s_max dt <= 1/2: max |dP| = {worst_p:.3g}")
    print(f"  factor Q vs the flow's own weights: max |dQ| = {worst_gauge:.3g} (the hidden basis is not fixed by P)")


def check_bias():
    x = np.array([[0, 0], [1, 0], [0, 1], [1, 1.]]); z = np.array([1.0, 2.9, 0.2, 2.2])
    xt = np.hstack([x, np.ones((4, 1))])
    s11, s31 = xt.T @ xt / 4, (z[:, None].T @ xt) / 4
    th = rng.normal(size=9)   # W21 (2x2), b21 (2), W32 (1x2), b32 (1)

    def loss(th):
        W1, b1, W2, b2 = th[:4].reshape(2, 2), th[4:6], th[6:8].reshape(1, 2), th[8]
        pred = (W2 @ (W1 @ x.T + b1[:, None])).ravel() + b2
        return 0.5 * np.mean((z - pred) ** 2)
    W1, b1, W2, b2 = th[:4].reshape(2, 2), th[4:6], th[6:8].reshape(1, 2), th[8]
    A1 = np.block([[W1, b1[:, None]], [np.zeros((1, 2)), np.ones((1, 1))]])
    A2 = np.hstack([W2, [[b2]]])
    E = s31 - A2 @ A1 @ s11
    g2, g1 = E @ A1.T, (A2.T @ E)[:2]
    grad = np.concatenate([g1[:, :2].ravel(), g1[:, 2], g2[0, :2], g2[0, 2:]])
    fd = np.array([(loss(th + 1e-6 * e) - loss(th - 1e-6 * e)) / 2e-6 for e in np.eye(9)])
    print(f"affine chain on x~ = [x; 1]: max |velocity + finite-difference gradient| = {abs(grad + fd).max():.3g}")


def lambda_balanced_start(n0, h, n2, lam, sigma):
    """W32^T W32 - W21 W21^T = lam I, built here independently: the small layer Gaussian, the
    other from the eigen-decomposition of its Gram plus |lam| I on a random frame."""
    if lam >= 0:
        w21 = sigma * rng.normal(size=(h, n0))
        mu, u = np.linalg.eigh(w21 @ w21.T + lam * np.eye(h))
        w32 = orth(n2, h) @ np.diag(np.sqrt(np.clip(mu, 0, None))) @ u.T
    else:
        w32 = sigma * rng.normal(size=(n2, h))
        mu, u = np.linalg.eigh(w32.T @ w32 - lam * np.eye(h))
        w21 = (orth(n0, h) @ np.diag(np.sqrt(mu)) @ u.T).T
    return w21, w32


def check_lambda_balanced():
    """P = QQ^T of lambda-balanced starts by a different route than linflow's: the linear
    Hamiltonian system X' = -F X + Y, Y' = F Y (X(0) = I, Y(0) = P0) gives P = Y X^-1, by
    scipy's expm of [[-F, I], [0, F]], with F_lam = [[-lam/2 I, S^T], [S, lam/2 I]], S = Sigma31/c
    and time c t; against DOP853 of the full flow with Sigma11 = cI."""
    from scipy.linalg import expm
    worst, worst_balance = 0, 0
    for lam in [-2, -0.5, 0, 0.5, 2]:
        for trial in range(4):
            n0, n2 = (4, 2) if trial % 2 else (2, 5)
            h = min(n0 if lam < 0 else n2, 2 + trial % 2)
            c = [1, 0.125, 2, 0.5][trial]
            s31 = rng.normal(size=(n2, n0)) * 0.6
            w21, w32 = lambda_balanced_start(n0, h, n2, lam, [0.01, 0.3, 1.0, 0.1][trial])
            q0 = np.vstack([w21.T, w32])
            S = s31 / c
            F = np.block([[-lam / 2 * np.eye(n0), S.T], [S, lam / 2 * np.eye(n2)]])
            n = n0 + n2
            H = np.block([[-F, np.eye(n)], [np.zeros((n, n)), F]])
            times = np.array([0.25, 0.5, 1.0, 2.0])  # expm of H loses digits like e^(2 phi c t)
            for t, (a, b) in zip(times, integrate([n0, h, n2], c * np.eye(n0), s31, [w21, w32], times)):
                E = expm(H * c * t)
                X = E[:n, :n] + E[:n, n:] @ (q0 @ q0.T)
                Y = E[n:, n:] @ (q0 @ q0.T)
                P = np.linalg.solve(X.T, Y.T).T
                q = np.vstack([a.T, b])
                worst = max(worst, abs(P - q @ q.T).max())
                worst_balance = max(worst_balance, abs(b.T @ b - a @ a.T - lam * np.eye(h)).max())
    print(f"lambda-balanced Riccati with F_lam (Hamiltonian expm, Sigma11 = cI, lam in -2..2): max |dP| = {worst:.3g}; "
          f"balance drift along DOP853 {worst_balance:.3g}")


if __name__ == "__main__":
    check_bias()
    check_saxe_and_scaling()
    check_deep()
    check_riccati()
    check_lambda_balanced()
