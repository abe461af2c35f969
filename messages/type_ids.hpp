// type_ids.hpp -- the one CAF type-ID block for every type that may cross nodes.
// Every app calls cfg.add_message_types<caf::id_block::chat>() before building its actor_system.
#pragma once

#include "messages/frame.hpp"
#include "messages/interfaces.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(chat, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(chat, (chat::inbound_frame))
CAF_ADD_TYPE_ID(chat, (chat::frame))
CAF_ADD_TYPE_ID(chat, (chat::frame_batch))
CAF_ADD_TYPE_ID(chat, (chat::member_actor))
CAF_ADD_TYPE_ID(chat, (chat::roster_actor))
CAF_ADD_TYPE_ID(chat, (chat::channel_handle))
CAF_ADD_TYPE_ID(chat, (chat::channel_actor))
CAF_ADD_TYPE_ID(chat, (chat::directory_actor))
CAF_ADD_TYPE_ID(chat, (chat::session_actor))
CAF_ADD_TYPE_ID(chat, (chat::channel_event))
CAF_ADD_TYPE_ID(chat, (chat::channel_observer))
CAF_ADD_TYPE_ID(chat, (chat::client_link))
CAF_ADD_TYPE_ID(chat, (chat::extension_handler))
CAF_ADD_TYPE_ID(chat, (std::vector<uint32_t>)) // LIST member counts, between nodes
CAF_ADD_TYPE_ID(chat, (chat::node_actor))
CAF_ADD_TYPE_ID(chat, (chat::client_observer))
CAF_ADD_TYPE_ID(chat, (chat::replay_request))
CAF_ADD_TYPE_ID(chat, (chat::stream_position))
CAF_ADD_TYPE_ID(chat, (chat::history_page))
CAF_ADD_TYPE_ID(chat, (std::vector<chat::history_entry>))
CAF_ADD_TYPE_ID(chat, (chat::inbox_actor))
CAF_END_TYPE_ID_BLOCK(chat)
