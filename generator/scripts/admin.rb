# Creates or updates the first administrator, from ADMIN_EMAIL,
# ADMIN_USERNAME and ADMIN_PASSWORD, under `rails runner`. It runs on every
# release, so it must be idempotent: an account that exists keeps its
# username and history, and only what differs from the Secret changes.
#
# The steps are those of Discourse's own `rake admin:create`
# (discourse/discourse lib/tasks/admin.rake): find the user by email,
# create it with a password if missing, grant admin, trust level 1,
# confirm the email tokens, activate. That task prompts on a terminal;
# Canonical's discourse-k8s-operator pipes answers into it
# (src/charm.py); this script calls the same model methods without one,
# and User#confirm_password? (app/models/user.rb) to leave a password that
# already matches alone: setting it again would be a needless write.
email = ENV.fetch("ADMIN_EMAIL", "").strip.downcase
username = ENV.fetch("ADMIN_USERNAME", "").strip
password = ENV.fetch("ADMIN_PASSWORD", "")
missing = { "ADMIN_EMAIL" => email, "ADMIN_USERNAME" => username, "ADMIN_PASSWORD" => password }.select { |_, v| v.empty? }.keys
abort "admin: #{missing.join(", ")} empty in the Secret (spec.admin)" unless missing.empty?

user = User.find_by_email(email)
action = "updated"
if user.nil?
  taken = User.find_by_username(username)
  abort "admin: the username #{username} belongs to another account; set another one in the Secret" if taken
  user = User.new(email: email, username: username, name: username)
  user.password = password
  # save, not save!: the model's own messages (password too short or too
  # common, reserved username) say what to change in the Secret.
  abort "admin: cannot create #{username} <#{email}>: #{user.errors.full_messages.join("; ")}" unless user.save
  action = "created"
elsif !user.confirm_password?(password)
  user.password = password
  abort "admin: cannot set the password of #{user.username} <#{email}>: #{user.errors.full_messages.join("; ")}" unless user.save
  action = "updated (password)"
end

user.grant_admin! unless user.admin?
user.change_trust_level!(1) if user.trust_level < 1
user.email_tokens.update_all(confirmed: true)
user.activate unless user.active?
puts "admin: #{action} #{user.username} <#{email}>, administrator"
