# Liveness of a Sidekiq pod: upstream's two supervision checks, done by the
# kubelet instead of the Unicorn master that runs them in upstream's image
# (discourse/discourse lib/demon/sidekiq.rb, called every minute from
# config/unicorn.conf.rb). Plain Ruby with the standard library only: no
# gems, no Bundler, so it starts in milliseconds, and no redis-cli, which the
# slim and web-only images do not have.
#
# 1. RSS ceiling (Demon::Sidekiq.rss_memory_check): above
#    UNICORN_SIDEKIQ_MAX_RSS megabytes, fail, so the kubelet stops Sidekiq
#    with SIGTERM and it requeues its jobs, before the OOM killer's SIGKILL
#    loses them.
# 2. Heartbeat (Demon::Sidekiq.heartbeat_check): Sidekiq's own heartbeat
#    thread writes a "beat" into the hash of its process identity
#    ("<hostname>:<pid>:<nonce>") every few seconds, with a 60 s expiry, in
#    Sidekiq's Redis database. Upstream restarts a Sidekiq whose beat is
#    older than 100 s (SIDEKIQ_HEARTBEAT_CHECK_MISS_THRESHOLD_SECONDS).
#
# An unreachable Redis passes: restarting Sidekiq would not bring Redis back,
# and Sidekiq reconnects by itself.
require "socket"

max_rss_kb = Integer(ENV.fetch("UNICORN_SIDEKIQ_MAX_RSS")) * 1024
rss_kb = File.read("/proc/1/status")[/^VmRSS:\s+(\d+)/, 1].to_i
if rss_kb > max_rss_kb
  warn "sidekiq uses #{rss_kb / 1024} MB, above UNICORN_SIDEKIQ_MAX_RSS=#{max_rss_kb / 1024}"
  exit 1
end

def resp(io, *args)
  io.write("*#{args.size}\r\n" + args.map { |a| "$#{a.to_s.bytesize}\r\n#{a}\r\n" }.join)
  reply(io)
end

def reply(io)
  line = io.gets("\r\n") or raise IOError, "redis closed the connection"
  body = line[1..].chomp("\r\n")
  case line[0]
  when "+" then body
  when "-" then raise IOError, body
  when ":" then body.to_i
  when "$" then body.to_i.negative? ? nil : io.read(body.to_i + 2).chomp("\r\n")
  when "*" then body.to_i.negative? ? nil : Array.new(body.to_i) { reply(io) }
  else raise IOError, "unexpected redis reply #{line.inspect}"
  end
end

begin
  io = Socket.tcp(ENV.fetch("DISCOURSE_REDIS_HOST"), Integer(ENV.fetch("DISCOURSE_REDIS_PORT")), connect_timeout: 2)
  if ENV["DISCOURSE_REDIS_USE_SSL"] == "true"
    require "openssl"
    io = OpenSSL::SSL::SSLSocket.new(io).tap { |s| s.hostname = ENV["DISCOURSE_REDIS_HOST"]; s.sync_close = true; s.connect }
  end
  password = ENV["DISCOURSE_REDIS_PASSWORD"].to_s
  resp(io, "AUTH", password) unless password.empty?
  resp(io, "SELECT", ENV.fetch("SIDEKIQ_REDIS_DB"))
  host = Socket.gethostname
  beats = resp(io, "SMEMBERS", "processes").select { |id| id.start_with?("#{host}:") }.filter_map { |id| resp(io, "HGET", id, "beat")&.to_f }
rescue SystemCallError, SocketError, IOError => e
  puts "redis unreachable (#{e.message}); not restarting sidekiq for that"
  exit 0
end

if beats.empty?
  warn "no live sidekiq process of #{host} in redis: it has stopped beating"
  exit 1
end
age = Time.now.to_f - beats.max
if age > 100
  warn "sidekiq's last heartbeat is #{age.round} s old (upstream restarts after 100 s)"
  exit 1
end
