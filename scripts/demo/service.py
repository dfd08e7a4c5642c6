#!/usr/bin/python3
"""The demo's workloads: a tiny TCP service and the client that drives it (standard library only).

  service.py serve NAME IP:PORT [--upstream IP:PORT] [--lifetime SECONDS]
      answers each connection with "NAME ok"; with --upstream, it first asks the upstream
      (so web -> api makes api -> db) and adds its answer. Exits after --lifetime seconds.
  service.py client IP:PORT --seconds S [--interval I]
      connects every I seconds for S seconds; prints "N requests: N ok, M failed" and exits 0
      only when every request was answered.
"""
import argparse, socket, socketserver, sys, threading, time


def ask(address, timeout=2.0):
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(b"hello\n")
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        return data.decode().strip()


def serve(args):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            try:
                self.answer()
            except OSError:
                pass  # a port scanner connects and resets: nothing to answer

        def answer(self):
            self.rfile.readline()
            answer = f"{args.name} ok"
            if args.upstream:
                try:
                    answer += f" ({ask(args.upstream)})"
                except OSError as e:
                    answer += f" (upstream failed: {e})"
            self.wfile.write((answer + "\n").encode())

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    host, port = args.address.rsplit(":", 1)
    server = Server((host, int(port)), Handler)
    threading.Timer(args.lifetime, server.shutdown).start()  # bounded, even if nobody kills it
    server.serve_forever()


def client(args):
    ok = failed = 0
    last = ""
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        try:
            last = ask(args.address)
            ok += 1 if "failed" not in last else 0
            failed += 1 if "failed" in last else 0
        except OSError as e:
            failed += 1
            last = f"error: {e}"
        time.sleep(args.interval)
    print(f"{ok + failed} requests to {args.address}: {ok} ok, {failed} failed (last answer: {last})")
    return 0 if ok > 0 and failed == 0 else 1


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("name")
    s.add_argument("address")
    s.add_argument("--upstream")
    s.add_argument("--lifetime", type=float, default=900)
    c = sub.add_parser("client")
    c.add_argument("address")
    c.add_argument("--seconds", type=float, default=5)
    c.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args()
    return serve(args) if args.command == "serve" else client(args)


if __name__ == "__main__":
    sys.exit(main() or 0)
