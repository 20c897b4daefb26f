"""`backfire new ID`: a commented scenario skeleton that validates as it is."""

SKELETON = """# yaml-language-server: $schema=./scenario.schema.json
#
# {id}: a new Backfire scenario. Every TODO is yours to replace. The file
# validates as it is (`backfire validate`), so change one thing at a time and
# validate again. The guide is scenarios/README.md.
#
# Rules: every fact, quote and target names a source; every number no source
# gives sits under `assumptions` (or is a model parameter).

id: {id}
title: "TODO: a title for the picker"
date: TODO month year
summary: >-
  TODO: a paragraph for the briefing: the brand, the moment, the campaign.

sources:
  - id: main_source           # short id that facts cite
    title: "TODO: the article's title, as the page gives it"
    publisher: TODO publisher
    url: https://example.invalid/todo   # the real address; never invent one
    note: TODO what this source is and how far to trust it.

brand:
  name: TODO Brand
  handle: "@todo"
  role: TODO who the player is, in a sentence.
  context:
    - when: TODO when
      text: TODO a fact about the brand's recent record.
      source: main_source
  followers: {{customers: 0.3, critics: 0.05}}   # share of each segment following the brand (assumption)

campaign:
  hashtag: "#TodoTag"
  premise: TODO one line for the picker.
  goal: TODO what the campaign was for.
  goal_source: main_source
  intended_audience: [customers]
  on_topic: [question]
  event: {{host: TODO host, starts_at: 2h, length: 1h, source: main_source}}
  invitation: 1.0            # model parameter: how strongly the opening invites posting
  openings:
    - id: opening
      label: What the brand posted
      text: "TODO the opening post, verbatim"
      real: true
      source: main_source

clock:
  start: "2020-01-01T12:00:00+00:00"
  start_note: TODO why this start (cite the source; say what is assumed).
  turn_minutes: 15
  horizon_hours: 24

audience:
  size: 20000
  size_note: TODO who could see the tag (an assumption).
  # places: [London, Leeds, Glasgow]   # city names for a case set outside the US
  segments:
    - id: customers
      label: Customers
      share: 0.8
      stance: {{mean: 0.0, sd: 0.3}}
      activity: {{mean: 1.0, sd: 0.4}}
      following: 20
      popularity: 2.5
      follows: {{customers: 0.8, critics: 0.2}}
      posts: {{question: 0.6, complaint: 0.3, support: 0.1}}
    - id: critics
      label: Critics
      share: 0.2
      stance: {{mean: -0.6, sd: 0.2}}
      activity: {{mean: 2.0, sd: 0.8}}
      following: 25
      popularity: 2.2
      follows: {{critics: 0.7, customers: 0.3}}
      posts: {{complaint: 0.9, support: 0.1}}
      # Campaign groups read as groups: give names that fit your case ({{City}}, {{Last}}, {{Word}}...).
      voice_names: group
      names: ["{{City}} Consumer Action", "The {{Word}} Campaign"]
      bios: ["Campaigning in {{city}}.", "Customers first."]
  hubs: []

kinds:
  - {{id: question, label: On-topic question, tone: neutral, appeal: 0.5}}
  - {{id: complaint, label: Complaint, tone: hostile, appeal: 1.2, influence: -0.02}}
  - {{id: support, label: Support, tone: supportive, appeal: 0.4, influence: 0.01}}

# Model parameters (assumptions): start from a calibrated scenario's values and
# tune with `backfire calibrate {id}` until history meets the targets.
dynamics:
  attention_half_life: 75m
  exposure_gain: 0.012
  novelty_half_life: 4h
  imitation: 0.4
  stance_weight: 1.6
  fatigue: 0.65
  reply_rate: 0.0033
  brand_post_half_life: 2h
  quote_share: 0.3
  brand_post_reach: 0.5
  trending_threshold: 600
  trending_share: 0.003
  spontaneous: 0.0004

voices:
  templates:
    customers:
      question: ["TODO a question {{hashtag}}"]
      complaint: ["TODO a complaint about {{brand}} {{hashtag}}"]
      support: ["TODO a kind word {{hashtag}}"]
    critics:
      complaint: ["TODO an angry post {{hashtag}}"]
  # What the crowd writes back to each move, by the most specific key: answer:ID, answer, cancel, any.
  # {{quote}} turns a phrase of the brand's post back; `says` keeps a line to posts that say its words.
  replies:
    answer:candid:
      - "“{{quote}}”. TODO a reply to a candid answer {{hashtag}}"
      - {{text: "“{{quote}}” Sorry isn't enough. {{hashtag}}", says: [sorry]}}
    any:
      - "TODO a reply to anything the brand posts {{hashtag}}"
  quotes: []                 # real posts the sources quote, each with its source

# A player may write any post; it plays as the option of its kind (`postures`). Give answer and
# cancel an option for an apology or fix, a defence and a joke (`backfire check` warns otherwise).
actions:
  answer:
    - id: candid
      postures: [apologise, corrective_action]
      label: Candid
      text: "TODO a candid answer to {{question}}"
      effects:
        - {{param: stance, op: add, value: 0.05}}
    - id: defensive
      postures: [deny, justify]
      label: Defensive
      text: "TODO a defensive answer to {{question}}"
      provocation: 2.0
      effects:
        - {{param: stance, op: add, value: -0.05}}
        - {{param: rate, value: 1.3, kinds: [complaint], turns: 8}}
    - id: joke
      postures: [humour]
      label: Make light of it
      text: "TODO a joke in reply to {{question}}"
      provocation: 2.2
      effects:
        - {{param: stance, op: add, value: -0.04}}
  pause:
    - {{id: short, label: Go quiet for an hour, turns: 4}}
  cancel_move: Stop the campaign
  cancel:
    - id: stop
      postures: [apologise, corrective_action]
      label: Stop the campaign and say why
      text: TODO the message
      provocation: 1.5
      effects:
        - {{param: invitation, value: 0.0}}
    - id: defend
      postures: [justify]
      label: Stop it and defend the campaign
      text: TODO the defence
      provocation: 2.2
      effects:
        - {{param: invitation, value: 0.0}}
        - {{param: stance, op: add, value: -0.04}}
    - id: joke
      postures: [humour]
      label: Stop it with a joke
      text: TODO the joke
      provocation: 2.5
      effects:
        - {{param: invitation, value: 0.0}}
        - {{param: novelty, op: add, value: 0.5}}

injects: []

history:
  opening: opening
  decisions:
    - {{at: 3h, action: cancel, option: stop, source: main_source, note: TODO what the source says}}
  timeline:
    - {{when: TODO, text: TODO what happened, source: main_source}}

targets:
  - id: volume
    label: Hostile posts before the cancellation
    metric: hostile_before_cancel
    bound: {{min: 1}}
    source: main_source
    quote: TODO the source's words for the figure

lessons:
  - id: lesson
    stance: advice
    quote: TODO the source's words
    summary: TODO the lesson in a line
    source: main_source
    options: ["answer:candid"]

strategies:
  - {{id: candid, label: Answer candidly, script: "answer:candid*4"}}
  - {{id: defensive, label: Rebut the complaints, script: "answer:defensive@complaint*8"}}

validity:                    # what the sources (or common sense) say the score must agree with
  - {{id: rebuttals-lose, better: history, worse: defensive, share: 0.75, why: TODO the judgement and who makes it}}

scoring:
  dimensions:
    - {{metric: hostile_total, label: Hostile volume, weight: 3, better: lower, scale: 2000}}
    - {{metric: stance_change, label: Reputation, weight: 2, better: higher, scale: 0.05, signed: true}}
  gate: [hostile_total, stance_change]

assumptions:
  - id: todo
    text: TODO every number no source gives (crowd size, shares, rates, effects).
"""


def skeleton(scenario_id: str) -> str:
    """Return the skeleton text for a scenario id."""
    return SKELETON.format(id=scenario_id)
